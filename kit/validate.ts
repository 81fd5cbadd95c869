/**
 * Tiny structural checks for upstream JSON. Parsers built from these throw a `ShapeError` naming the
 * path that did not match; the kit turns it into UPSTREAM_BAD_RESPONSE.
 */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, path: string): Json {
  if (!isObject(value)) throw new ShapeError(`${path}: expected an object, got ${describe(value)}`);
  return value;
}

export function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new ShapeError(`${path}: expected an array, got ${describe(value)}`);
  return value;
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new ShapeError(`${path}: expected a string, got ${describe(value)}`);
  return value;
}

/** A number, or a numeric string (several agencies send numbers as text); null/""/unparseable → null. */
export function looseNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.replace(',', '.'));
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
