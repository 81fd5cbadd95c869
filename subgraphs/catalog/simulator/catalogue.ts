/**
 * The simulator's whole registry: recorded entries (as they are) plus synthetic ones, indexed for
 * search. Built once per simulator instance, on the first request (a few ms, ~1 000 entries).
 */
import { P, type RdfGraph, T } from '../rdf.ts';
import { type InvertedIndex, indexEntry, invert, type SolrDoc } from './solr.ts';
import { infoGraph, lit, recordedEntries, type SimEntry, uri } from './store.ts';
import { syntheticEntries } from './synthetic.ts';

/** Predicates the `dcat` recursion profile follows (observed: distribution, publisher, contact point). */
export const RECURSIVE_PREDICATES = [P.distribution, P.publisher, P.contactPoint] as const;

export interface Catalogue {
  entries: SimEntry[];
  /** By `{contextId}/{entryId}`. */
  byKey: Map<string, SimEntry>;
  /** By resource URI (the first entry that describes it). */
  byResource: Map<string, SimEntry>;
  /** Public entries, indexed, in store order. */
  docs: SolrDoc[];
  /** Exact-field values → documents (narrows a search before matching). */
  inverted: InvertedIndex;
  base: string;
}

/**
 * The recorded Trafikverket datasets name distributions and a contact point whose entries were not
 * recorded: synthetic stand-ins (a distribution per stated format, an organisation contact) so that
 * their recursive metadata is complete. Their values are synthetic, their URIs recorded.
 */
function completeRecorded(entries: SimEntry[]): SimEntry[] {
  const known = new Set(entries.map((e) => e.resource));
  const out: SimEntry[] = [];
  let next = 9000;
  for (const e of entries.filter((x) => x.recorded && x.contextId === '50')) {
    const node = e.metadata[e.resource];
    if (!node) continue;
    const formats = (node[P.format] ?? []).map((f) => f.value);
    const landing = node[P.landingPage]?.[0]?.value ?? e.resource;
    for (const [k, d] of (node[P.distribution] ?? []).entries()) {
      if (known.has(d.value)) continue;
      known.add(d.value);
      out.push({
        contextId: e.contextId,
        entryId: String(next++),
        resource: d.value,
        metadata: {
          [d.value]: {
            [P.title]: [
              lit(`${node[P.title]?.[0]?.value ?? 'Distribution'} (${formats[k] ?? 'data'})`, 'sv'),
            ],
            ...(formats[k] ? { [P.format]: [lit(formats[k]!)] } : {}),
            [P.accessURL]: [uri(landing)],
            [P.license]: node[P.license] ?? [],
            [P.type]: [uri(T.Distribution)],
          },
        },
        created: e.created,
        modified: e.modified,
        public: true,
        recorded: false,
      });
    }
    for (const c of node[P.contactPoint] ?? []) {
      if (known.has(c.value) || c.type !== 'uri') continue;
      known.add(c.value);
      out.push({
        contextId: e.contextId,
        entryId: String(next++),
        resource: c.value,
        metadata: {
          [c.value]: {
            [P.vcardFn]: [lit('Trafikverket, dataleverans')],
            [P.type]: [uri(T.VcardOrganization)],
          },
        },
        created: e.created,
        modified: e.modified,
        public: true,
        recorded: false,
      });
    }
  }
  return out;
}

/** Builds the registry served at `base` (entry URIs and contexts are under it). */
export function buildCatalogue(base: string): Catalogue {
  const recorded = recordedEntries();
  const recordedAgents = new Set(
    recorded.entries
      .filter((e) => (e.metadata[e.resource]?.[P.type] ?? []).some((t) => t.value === T.Agent))
      .map((e) => e.resource),
  );
  const entries = [
    ...recorded.entries,
    ...completeRecorded(recorded.entries),
    ...syntheticEntries(recordedAgents),
  ];
  const byKey = new Map<string, SimEntry>();
  const byResource = new Map<string, SimEntry>();
  for (const e of entries) {
    byKey.set(`${e.contextId}/${e.entryId}`, e);
    if (!byResource.has(e.resource)) byResource.set(e.resource, e);
  }
  const docs = entries
    .filter((e) => e.public)
    .map((e) => {
      const node = e.metadata[e.resource] ?? {};
      const related = (node[P.distribution] ?? [])
        .map((d) => byResource.get(d.value)?.metadata)
        .filter((g): g is RdfGraph => g !== undefined);
      return indexEntry(e, base, infoGraph(e, base), related);
    });
  return { entries, byKey, byResource, docs, inverted: invert(docs), base };
}

/** The entry's metadata plus, with `recursive=dcat`, the entries it links to (up to `depth` hops). */
export function recursiveMetadata(cat: Catalogue, entry: SimEntry, depth: number): RdfGraph {
  const out: RdfGraph = { ...entry.metadata };
  const seen = new Set([entry.resource]);
  let frontier = [entry];
  for (let hop = 0; hop < depth && frontier.length > 0; hop++) {
    const next: SimEntry[] = [];
    for (const e of frontier) {
      const node = e.metadata[e.resource] ?? {};
      for (const p of RECURSIVE_PREDICATES) {
        for (const v of node[p] ?? []) {
          if (v.type !== 'uri' || seen.has(v.value)) continue;
          seen.add(v.value);
          const linked = cat.byResource.get(v.value);
          if (!linked) continue;
          Object.assign(out, linked.metadata);
          next.push(linked);
        }
      }
    }
    frontier = next;
  }
  return out;
}
