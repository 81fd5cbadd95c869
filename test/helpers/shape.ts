/**
 * "Same shape" for simulator conformance: a simulator's answer to a recorded request must have the
 * recording's keys, value types and nesting. Values may differ (the simulator's data is its own).
 *
 * Rules: objects must have the same keys (a key the recording has and the answer lacks, or the
 * reverse, is a mismatch, except keys listed in `optional`); arrays are compared element-wise
 * against the merged shape of the recording's elements (so one recorded element stands for all);
 * `null` on either side matches any type (agencies send null for missing values); numbers and
 * strings must not swap (SMHI's metobs `value` is a string, and that matters).
 */

type Path = string;

export interface ShapeOptions {
  /** Paths (dotted, `[]` for array elements, e.g. `timeSeries[].data.cloud_base`) allowed to be absent on either side. */
  optional?: readonly string[];
  /** Paths whose subtree is not compared (e.g. a map keyed by ids: `dimension.Region.category.label`). */
  opaque?: readonly string[];
}

/** Every difference in shape between `actual` and `expected`, as `path: what`; empty when they match. */
export function shapeDifferences(actual: unknown, expected: unknown, options: ShapeOptions = {}): string[] {
  const out: string[] = [];
  compare(actual, expected, '', out, options);
  return out;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function compare(actual: unknown, expected: unknown, path: Path, out: string[], options: ShapeOptions): void {
  if (options.opaque?.includes(path)) return;
  const a = kind(actual);
  const e = kind(expected);
  if (a === 'null' || e === 'null') return;
  if (a !== e) {
    out.push(`${path || '(root)'}: expected ${e}, got ${a}`);
    return;
  }
  if (a === 'array') {
    const exp = expected as unknown[];
    const act = actual as unknown[];
    if (exp.length === 0 || act.length === 0) return;
    const merged = mergeElements(exp);
    for (const item of act.slice(0, 50)) compare(item, merged, `${path}[]`, out, options);
    return;
  }
  if (a === 'object') {
    const act = actual as Record<string, unknown>;
    const exp = expected as Record<string, unknown>;
    const join = (k: string) => (path ? `${path}.${k}` : k);
    for (const k of Object.keys(exp)) {
      if (!(k in act)) {
        if (!options.optional?.includes(join(k))) out.push(`${join(k)}: missing`);
        continue;
      }
      compare(act[k], exp[k], join(k), out, options);
    }
    for (const k of Object.keys(act)) {
      if (!(k in exp) && !options.optional?.includes(join(k))) out.push(`${join(k)}: not in the recording`);
    }
  }
}

/** One object standing for every element of a recorded array: the union of their keys. */
function mergeElements(items: unknown[]): unknown {
  const objects = items.filter((i) => kind(i) === 'object') as Record<string, unknown>[];
  if (objects.length === 0) return items.find((i) => i !== null) ?? null;
  const merged: Record<string, unknown> = {};
  for (const o of objects) {
    for (const [k, v] of Object.entries(o)) {
      if (!(k in merged) || merged[k] === null) merged[k] = v;
      else if (kind(merged[k]) === 'array' && kind(v) === 'array')
        merged[k] = [...(merged[k] as unknown[]), ...(v as unknown[])];
    }
  }
  return merged;
}
