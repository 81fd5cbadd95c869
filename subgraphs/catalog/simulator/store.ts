/**
 * The simulator's registry: entries as EntryStore holds them (one context per harvested catalogue,
 * one entry per dataset, distribution, agent or contact point, each with its own metadata graph and
 * an `info` graph of registry bookkeeping), built once per simulator instance from the recorded
 * entries (as they are) and the synthetic catalogue of `synthetic.ts`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NS, P, type RdfGraph, type RdfValue, T } from '../rdf.ts';

/** One registry entry. */
export interface SimEntry {
  contextId: string;
  entryId: string;
  /** The resource URI the entry describes (the publisher's own URI for harvested entries). */
  resource: string;
  /** The entry's own metadata graph: the resource's node and its blank nodes and documents. */
  metadata: RdfGraph;
  /** The registry's `info` graph as recorded, with `https://admin.dataportal.se/store` as base (rebased when served). */
  info?: RdfGraph;
  /** Registry dates (ISO 8601 with offset, as EntryStore writes them). */
  created: string;
  modified: string;
  /** Whether a guest may read it (non-public entries are invisible to searches). */
  public: boolean;
  /** Real recorded entry (served as recorded) or generated. */
  recorded: boolean;
}

export const uri = (value: string): RdfValue => ({ type: 'uri', value });
export const bnode = (value: string): RdfValue => ({ type: 'bnode', value });
export const lit = (value: string, lang?: string): RdfValue =>
  lang ? { type: 'literal', lang, value } : { type: 'literal', value };
export const typed = (value: string, datatype: string): RdfValue => ({
  datatype: `http://www.w3.org/2001/XMLSchema#${datatype}`,
  type: 'literal',
  value,
});

/** The registry the recordings come from: recorded `info` graphs use it as their base. */
export const RECORDED_BASE = 'https://admin.dataportal.se';

/** The info graph of an entry, under the registry's base URL (the mount's, so URIs match where it is served). */
export function infoGraph(entry: SimEntry, base: string): RdfGraph {
  if (entry.info) return rebase(entry.info, base);
  const store = `${base}/store/${entry.contextId}`;
  const subject = `${store}/entry/${entry.entryId}`;
  const principal = uri(`${base}/store/_principals/resource/2`);
  return {
    [subject]: {
      [`${NS.es}metadata`]: [uri(`${store}/metadata/${entry.entryId}`)],
      [`${NS.dcterms}creator`]: [principal],
      [P.esResource]: [uri(entry.resource)],
      [P.created]: [typed(entry.created, 'dateTime')],
      [`${NS.dcterms}contributor`]: [principal],
      [P.modified]: [typed(entry.modified, 'dateTime')],
      [`${NS.es}relation`]: [uri(`${store}/relations/${entry.entryId}`)],
      [P.type]: [uri(T.Link)],
    },
  };
}

/** Replaces the recorded registry base by the one the simulator is mounted at. */
export function rebase(graph: RdfGraph, base: string): RdfGraph {
  if (base === RECORDED_BASE) return graph;
  const fix = (s: string) => (s.startsWith(`${RECORDED_BASE}/`) ? base + s.slice(RECORDED_BASE.length) : s);
  const out: RdfGraph = {};
  for (const [subject, node] of Object.entries(graph)) {
    const fixed: Record<string, RdfValue[]> = {};
    for (const [p, vs] of Object.entries(node))
      fixed[p] = vs.map((v) => (v.type === 'uri' ? { ...v, value: fix(v.value) } : v));
    out[fix(subject)] = fixed;
  }
  return out;
}

const dataFile = (name: string) => fileURLToPath(new URL(`./data/${name}`, import.meta.url));
export const readData = <T>(name: string): T => JSON.parse(readFileSync(dataFile(name), 'utf8')) as T;

/** The subject of an info graph's entry node and its recorded dates. */
function recordedDates(info: RdfGraph): { created: string; modified: string; resource: string } {
  const node = Object.values(info).find((n) => n[P.esResource] !== undefined);
  return {
    created: node?.[P.created]?.[0]?.value ?? '',
    modified: node?.[P.modified]?.[0]?.value ?? '',
    resource: node?.[P.esResource]?.[0]?.value ?? '',
  };
}

/**
 * The recorded entries, as they are: the two Trafikverket datasets of the recorded search (their
 * `info` and `metadata` as recorded), the Försäkringskassan dataset (its recorded entry and recursive
 * metadata, split back into the entries the registry keeps apart: dataset, distributions, publisher,
 * contact point) and the recorded catalogue statistics entry.
 */
export function recordedEntries(): { entries: SimEntry[]; recursiveOwners: Map<string, string> } {
  const entries: SimEntry[] = [];
  const search = readData<{ resource: { children: Array<Record<string, unknown>> } }>(
    'recorded/search_datasets.json',
  );
  for (const child of search.resource.children) {
    const info = child['info'] as RdfGraph;
    const d = recordedDates(info);
    entries.push({
      contextId: String(child['contextId']),
      entryId: String(child['entryId']),
      resource: d.resource,
      metadata: child['metadata'] as RdfGraph,
      info,
      created: d.created,
      modified: d.modified,
      public: true,
      recorded: true,
    });
  }

  // Försäkringskassan: /store/547/entry/28672 and its recursive metadata.
  const fkInfo = readData<RdfGraph>('recorded/dataset_entry.json');
  const fkDates = recordedDates(fkInfo);
  const recursive = readData<RdfGraph>('recorded/dataset_recursive.json');
  const own: RdfGraph = {};
  const split = new Map<string, RdfGraph>();
  const dataset = recursive[fkDates.resource]!;
  const separate = new Set([
    ...(dataset[P.distribution] ?? []).map((v) => v.value),
    ...(dataset[P.publisher] ?? []).map((v) => v.value),
    ...(dataset[P.contactPoint] ?? []).map((v) => v.value),
  ]);
  for (const [subject, node] of Object.entries(recursive)) {
    if (separate.has(subject)) split.set(subject, { [subject]: node });
    else own[subject] = node;
  }
  entries.push({
    contextId: '547',
    entryId: '28672',
    resource: fkDates.resource,
    metadata: own,
    info: fkInfo,
    created: fkDates.created,
    modified: fkDates.modified,
    public: true,
    recorded: true,
  });
  // The related entries' own envelopes were not recorded: their entry ids and dates are synthetic.
  let next = 28673;
  const recursiveOwners = new Map<string, string>();
  for (const [subject, graph] of split) {
    entries.push({
      contextId: '547',
      entryId: String(next++),
      resource: subject,
      metadata: graph,
      created: fkDates.created,
      modified: fkDates.modified,
      public: true,
      recorded: true,
    });
    recursiveOwners.set(subject, '547_28672');
  }

  const stats = readData<{ resource: { children: Array<Record<string, unknown>> } }>(
    'recorded/catalog_statistics.json',
  );
  for (const child of stats.resource.children) {
    const info = child['info'] as RdfGraph;
    const d = recordedDates(info);
    entries.push({
      contextId: String(child['contextId']),
      entryId: String(child['entryId']),
      resource: d.resource,
      metadata: child['metadata'] as RdfGraph,
      info,
      created: d.created,
      modified: d.modified,
      public: true,
      recorded: true,
    });
  }
  return { entries, recursiveOwners };
}
