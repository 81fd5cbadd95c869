import {
  expectArray,
  expectObject,
  expectString,
  isObject,
  type Json,
  ShapeError,
} from '../../kit/validate.ts';

/**
 * A JSON-stat 2.0 dataset decoder of our own (SCB's PxWebApi 2.0 `json-stat2`). It handles any
 * number of dimensions, `value` as an array (dense) or an object keyed by flat position (sparse),
 * `category.index` as an object or an array, `status` as a string, an array or an object keyed by
 * position, and units/decimals on the metric dimension.
 */

/** One category (value) of a dimension. */
export interface Category {
  code: string;
  label: string;
}

/** Unit of a metric category (SCB: on ContentsCode). */
export interface Unit {
  base: string;
  decimals: number | null;
}

/** One dimension, its categories in index order. */
export interface Dimension {
  /** Variable code, e.g. `Region`. */
  id: string;
  /** Variable label, e.g. `region`. */
  label: string;
  categories: Category[];
  /** Metric units by category code (empty unless the dataset gives them). */
  units: Record<string, Unit>;
  /** `extension.elimination` as the dataset states it (SCB: read it from metadata, not data responses). */
  elimination: boolean | null;
  notes: string[];
  /** The dimension's role in the dataset (`role.time`, `role.metric`), if any. */
  role: 'time' | 'metric' | null;
}

/** A decoded dataset: everything but the cells. */
export interface Dataset {
  label: string;
  source: string | null;
  updated: string | null;
  notes: string[];
  /** Positions (in `notes`) that SCB marks mandatory (`extension.noteMandatory`). */
  mandatoryNotes: number[];
  /** Dimension order (`id`): the last varies fastest. */
  dimensions: Dimension[];
  /** Dimension ids with role `time` / `metric`. */
  timeDimension: string | null;
  metricDimension: string | null;
  /** `extension.px.tableid` when present. */
  tableId: string | null;
  /** Flat cell values; `null` where missing. Length = product of sizes (sparse input is expanded). */
  values: Array<number | null>;
  /** Status symbol by flat position, where one is given (a plain object: datasets are cached as JSON). */
  status: Record<number, string>;
}

/** One cell with each dimension's category. */
export interface Cell {
  /** One entry per dimension, in dataset order. */
  coordinates: Array<{ dimension: Dimension; category: Category }>;
  value: number | null;
  status: string | null;
}

function categoriesOf(category: Json, path: string, size: number | undefined): Category[] {
  const labels = isObject(category['label']) ? category['label'] : {};
  const index = category['index'];
  let codes: string[];
  if (Array.isArray(index)) {
    codes = index.map((c, i) => expectString(c, `${path}.index[${i}]`));
  } else if (isObject(index)) {
    codes = [];
    for (const [code, pos] of Object.entries(index)) {
      if (typeof pos !== 'number' || !Number.isInteger(pos) || pos < 0)
        throw new ShapeError(`${path}.index.${code}: expected a non-negative integer`);
      if (codes[pos] !== undefined) throw new ShapeError(`${path}.index: position ${pos} used twice`);
      codes[pos] = code;
    }
    for (let i = 0; i < codes.length; i++)
      if (codes[i] === undefined) throw new ShapeError(`${path}.index: position ${i} missing`);
  } else {
    // JSON-stat allows a single-category dimension with only `label`.
    codes = Object.keys(labels);
  }
  if (size !== undefined && codes.length !== size)
    throw new ShapeError(`${path}: ${codes.length} categories but size says ${size}`);
  return codes.map((code) => ({ code, label: typeof labels[code] === 'string' ? labels[code] : code }));
}

function unitsOf(category: Json): Record<string, Unit> {
  const out: Record<string, Unit> = {};
  if (!isObject(category['unit'])) return out;
  for (const [code, raw] of Object.entries(category['unit'])) {
    if (!isObject(raw)) continue;
    out[code] = {
      base:
        typeof raw['base'] === 'string' ? raw['base'] : typeof raw['label'] === 'string' ? raw['label'] : '',
      decimals: typeof raw['decimals'] === 'number' ? raw['decimals'] : null,
    };
  }
  return out;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];

/** Parses a JSON-stat 2.0 dataset (metadata responses have `value: []`). */
export function parseDataset(json: unknown): Dataset {
  const root = expectObject(json, 'dataset');
  if (root['class'] !== undefined && root['class'] !== 'dataset')
    throw new ShapeError(`dataset.class: expected "dataset", got ${JSON.stringify(root['class'])}`);
  const ids = expectArray(root['id'], 'dataset.id').map((x, i) => expectString(x, `dataset.id[${i}]`));
  const sizes = expectArray(root['size'], 'dataset.size').map((x, i) => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0)
      throw new ShapeError(`dataset.size[${i}]: expected a non-negative integer`);
    return x;
  });
  if (sizes.length !== ids.length) throw new ShapeError('dataset: id and size differ in length');
  const dims = expectObject(root['dimension'], 'dataset.dimension');
  const role = isObject(root['role']) ? root['role'] : {};
  const timeIds = strings(role['time']);
  const metricIds = strings(role['metric']);
  const dimensions: Dimension[] = ids.map((id, i) => {
    const d = expectObject(dims[id], `dataset.dimension.${id}`);
    const category = expectObject(d['category'] ?? {}, `dataset.dimension.${id}.category`);
    const ext = isObject(d['extension']) ? d['extension'] : {};
    return {
      id,
      label: typeof d['label'] === 'string' ? d['label'] : id,
      categories: categoriesOf(category, `dataset.dimension.${id}.category`, sizes[i]),
      units: unitsOf(category),
      elimination: typeof ext['elimination'] === 'boolean' ? ext['elimination'] : null,
      notes: strings(d['note']),
      role: timeIds.includes(id) ? 'time' : metricIds.includes(id) ? 'metric' : null,
    };
  });
  const total = sizes.reduce((a, b) => a * b, 1);
  const values = decodeValues(root['value'], total);
  const ext = isObject(root['extension']) ? root['extension'] : {};
  const px = isObject(ext['px']) ? ext['px'] : {};
  const mandatory = isObject(ext['noteMandatory']) ? ext['noteMandatory'] : {};
  return {
    label: typeof root['label'] === 'string' ? root['label'] : '',
    source: typeof root['source'] === 'string' ? root['source'] : null,
    updated: typeof root['updated'] === 'string' ? root['updated'] : null,
    notes: strings(root['note']),
    mandatoryNotes: Object.entries(mandatory)
      .filter(([, v]) => v === true)
      .map(([k]) => Number(k))
      .filter((n) => Number.isInteger(n))
      .sort((a, b) => a - b),
    dimensions,
    timeDimension: timeIds[0] ?? null,
    metricDimension: metricIds[0] ?? null,
    tableId: typeof px['tableid'] === 'string' ? px['tableid'] : null,
    values,
    status: decodeStatus(root['status'], total),
  };
}

function decodeValues(raw: unknown, total: number): Array<number | null> {
  const num = (v: unknown, at: string): number | null => {
    if (v === null) return null;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    throw new ShapeError(`dataset.value${at}: expected a number or null`);
  };
  if (raw === undefined) return [];
  if (Array.isArray(raw)) {
    if (raw.length === 0) return []; // metadata
    if (raw.length !== total)
      throw new ShapeError(`dataset.value: ${raw.length} values but the sizes multiply to ${total}`);
    return raw.map((v, i) => num(v, `[${i}]`));
  }
  if (isObject(raw)) {
    const out: Array<number | null> = new Array(total).fill(null);
    for (const [k, v] of Object.entries(raw)) {
      const pos = Number(k);
      if (!Number.isInteger(pos) || pos < 0 || pos >= total)
        throw new ShapeError(`dataset.value.${k}: position out of range`);
      out[pos] = num(v, `.${k}`);
    }
    return out;
  }
  throw new ShapeError('dataset.value: expected an array or an object');
}

/** `status` may be one string for every cell, an array aligned with `value`, or an object keyed by position. */
function decodeStatus(raw: unknown, total: number): Record<number, string> {
  const out: Record<number, string> = {};
  if (typeof raw === 'string') {
    for (let i = 0; i < total; i++) out[i] = raw;
  } else if (Array.isArray(raw)) {
    raw.forEach((s, i) => {
      if (typeof s === 'string' && s !== '' && i < total) out[i] = s;
    });
  } else if (isObject(raw)) {
    for (const [k, s] of Object.entries(raw)) {
      const pos = Number(k);
      if (typeof s === 'string' && Number.isInteger(pos) && pos >= 0 && pos < total) out[pos] = s;
    }
  }
  // Anything else is ignored: SCB's status format is not documented.
  return out;
}

/** Row-major strides: the last dimension varies fastest. */
export function strides(sizes: readonly number[]): number[] {
  const out = new Array<number>(sizes.length).fill(1);
  for (let i = sizes.length - 2; i >= 0; i--) out[i] = out[i + 1]! * sizes[i + 1]!;
  return out;
}

/** Every cell of the dataset, in flat order, with each dimension's category. */
export function cells(dataset: Dataset): Cell[] {
  let out = cellsByDataset.get(dataset);
  if (!out) {
    out = Object.freeze(cellsOf(dataset)) as Cell[];
    cellsByDataset.set(dataset, out);
  }
  return out;
}

/**
 * A dataset's cells, built once per dataset object: the cache hands out the same parsed dataset to
 * every request until it expires, and building 290 cells (a coordinate object per dimension each)
 * on every request was 3 % of the CPU of all municipalities' populations. The array is frozen: the
 * same one is shared by every request.
 */
const cellsByDataset = new WeakMap<Dataset, Cell[]>();

function cellsOf(dataset: Dataset): Cell[] {
  const sizes = dataset.dimensions.map((d) => d.categories.length);
  const step = strides(sizes);
  const out: Cell[] = [];
  dataset.values.forEach((value, flat) => {
    const coordinates = dataset.dimensions.map((dimension, i) => {
      const pos = Math.floor(flat / step[i]!) % sizes[i]!;
      return { dimension, category: dimension.categories[pos]! };
    });
    out.push({ coordinates, value, status: dataset.status[flat] ?? null });
  });
  return out;
}

/** The flat position of a cell given one category code per dimension (in dataset order). */
export function positionOf(dataset: Dataset, codes: readonly string[]): number | undefined {
  const sizes = dataset.dimensions.map((d) => d.categories.length);
  const step = strides(sizes);
  let flat = 0;
  for (let i = 0; i < dataset.dimensions.length; i++) {
    const pos = dataset.dimensions[i]!.categories.findIndex((c) => c.code === codes[i]);
    if (pos < 0) return undefined;
    flat += pos * step[i]!;
  }
  return flat;
}
