import { badInput } from './errors.ts';

/** Which end of a ranking comes first (the schemas' `RankingOrder`). */
export type RankingOrder = 'ASC' | 'DESC';

/** `first` of a ranking field, 1–`max`; anything else is BAD_USER_INPUT naming the field. */
export function checkFirst(field: string, first: number, max: number, agency: string): number {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badInput(`${field}(first: ${first}): first must be an integer from 1 to ${max}.`, agency);
  }
  return first;
}

/** The first `first` rows by `value` in `order`, ties by code, each with its rank (1 = first). */
export function ranked<T extends { code: string; value: number }>(
  rows: readonly T[],
  order: RankingOrder,
  first: number,
): Array<T & { rank: number }> {
  const sign = order === 'ASC' ? 1 : -1;
  return [...rows]
    .sort((a, b) => sign * (a.value - b.value) || a.code.localeCompare(b.code))
    .slice(0, first)
    .map((row, i) => ({ ...row, rank: i + 1 }));
}
