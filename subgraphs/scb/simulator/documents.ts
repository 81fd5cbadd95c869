import type { Resolved } from './selection.ts';
import { RECORDED, type SimTable, type SimVariable } from './tables.ts';

/**
 * SCB's response documents, in the shapes of the recorded answers: `/tables` list items,
 * `/tables/{id}`, JSON-stat 2.0 metadata (`v2_TAB6471_metadata.json`) and data
 * (`v2_TAB638_data_riket_POST.jsonstat2.json`), with keys in SCB's order.
 */

export function tableLinks(base: string, id: string, lang: string) {
  const other = lang === 'sv' ? 'en' : 'sv';
  return [
    { rel: 'self', hreflang: lang, href: `${base}/tables/${id}?lang=${lang}` },
    // A table SCB publishes in Swedish only has no alternate (TAB4948 in the recorded search).
    ...(RECORDED.swedishOnly.includes(id)
      ? []
      : [{ rel: 'alternate', hreflang: other, href: `${base}/tables/${id}?lang=${other}` }]),
    { rel: 'metadata', hreflang: lang, href: `${base}/tables/${id}/metadata?lang=${lang}` },
    { rel: 'data', hreflang: lang, href: `${base}/tables/${id}/data?lang=${lang}&outputFormat=json-stat2` },
  ];
}

/** One `/tables` list item. */
export function listItem(table: SimTable, base: string, lang: string) {
  const { paths, ...rest } = table.info;
  return { ...rest, paths, links: tableLinks(base, table.info.id, lang) };
}

/** `GET /tables/{id}`: the list item plus `discontinued` (reference §1.1). */
export function tableDocument(table: SimTable, base: string, lang: string) {
  const { paths, ...rest } = table.info;
  return { ...rest, discontinued: false, paths, links: tableLinks(base, table.info.id, lang) };
}

const pick = <T>(map: Record<string, T>, codes: readonly string[]) =>
  Object.fromEntries(codes.filter((c) => c in map).map((c) => [c, map[c]!]));

function category(variable: SimVariable, codes: readonly string[]) {
  const labels = new Map(variable.values.map((v) => [v.code, v.label]));
  return {
    index: Object.fromEntries(codes.map((c, i) => [c, i])),
    label: Object.fromEntries(codes.map((c) => [c, labels.get(c) ?? c])),
    ...(variable.unit ? { unit: pick(variable.unit, codes) } : {}),
  };
}

function dimension(
  variable: SimVariable,
  codes: readonly string[],
  kind: 'metadata' | 'data',
  base: string,
  lang: string,
) {
  const c = variable.contents;
  const extension =
    kind === 'metadata'
      ? {
          elimination: variable.elimination,
          ...(variable.noteMandatory ? { noteMandatory: variable.noteMandatory } : {}),
          ...(c ? { refperiod: pick(c.refperiod, codes) } : {}),
          show: variable.show,
          codelists: variable.codelists.map((l) => ({
            id: l.id,
            label: l.label,
            type: 'Valueset',
            links: [{ rel: 'metadata', hreflang: lang, href: `${base}/codeLists/${l.id}?lang=${lang}` }],
          })),
        }
      : {
          elimination: variable.dataElimination.elimination,
          ...(variable.dataElimination.eliminationValueCode === undefined
            ? {}
            : { eliminationValueCode: variable.dataElimination.eliminationValueCode }),
          ...(variable.noteMandatory ? { noteMandatory: variable.noteMandatory } : {}),
          ...(c ? { refperiod: pick(c.refperiod, codes) } : {}),
          show: variable.show,
        };
  return {
    label: variable.label,
    ...(variable.note ? { note: variable.note } : {}),
    category: category(variable, codes),
    extension: {
      ...extension,
      ...(c
        ? {
            measuringType: pick(c.measuringType, codes),
            priceType: pick(c.priceType, codes),
            adjustment: pick(c.adjustment, codes),
            alternativeText: pick(c.alternativeText, codes),
          }
        : {}),
    },
    ...(variable.describedBy ? { link: { describedby: [{ extension: variable.describedBy }] } } : {}),
  };
}

function dataset(
  table: SimTable,
  chosen: Array<{ variable: SimVariable; codes: string[] }>,
  kind: 'metadata' | 'data',
  base: string,
  lang: string,
  value: Array<number | null>,
) {
  const role = (r: 'time' | 'metric') =>
    chosen.filter((d) => d.variable.role === r).map((d) => d.variable.code);
  return {
    version: '2.0',
    class: 'dataset',
    label: table.label,
    source: 'SCB',
    updated: table.updated,
    ...(table.notes.length > 0 ? { note: table.notes } : {}),
    role: { time: role('time'), metric: role('metric') },
    id: chosen.map((d) => d.variable.code),
    size: chosen.map((d) => d.codes.length),
    dimension: Object.fromEntries(
      chosen.map((d) => [d.variable.code, dimension(d.variable, d.codes, kind, base, lang)]),
    ),
    extension: {
      noteMandatory: table.noteMandatory,
      px: table.px,
      ...(kind === 'data' ? { discontinued: null } : {}),
      contact: RECORDED.contact,
    },
    value,
  };
}

/** `GET /tables/{id}/metadata`: every variable with every value, `value: []`. */
export function metadataDocument(table: SimTable, base: string, lang: string) {
  const chosen = table.variables.map((variable) => ({ variable, codes: variable.values.map((v) => v.code) }));
  return dataset(table, chosen, 'metadata', base, lang, []);
}

/**
 * A data answer for a resolved selection: eliminated variables are absent from `id`/`size`/`dimension`,
 * and `value` is row-major over `id` (the last dimension varies fastest).
 */
export function dataDocument(table: SimTable, resolved: Resolved, base: string, lang: string) {
  const chosen = table.variables.flatMap((variable, i) =>
    resolved[i] === undefined ? [] : [{ variable, codes: resolved[i]!, index: i }],
  );
  const total = chosen.reduce((n, d) => n * d.codes.length, 1);
  const value = new Array<number | null>(total);
  const coords: Array<string | undefined> = table.variables.map(() => undefined);
  const position = chosen.map(() => 0);
  for (let flat = 0; flat < total; flat++) {
    chosen.forEach((d, k) => {
      coords[d.index] = d.codes[position[k]!];
    });
    value[flat] = table.value(coords);
    // Odometer: the last dimension turns fastest.
    for (let k = chosen.length - 1; k >= 0; k--) {
      position[k]! += 1;
      if (position[k]! < chosen[k]!.codes.length) break;
      position[k] = 0;
    }
  }
  return dataset(table, chosen, 'data', base, lang, value);
}
