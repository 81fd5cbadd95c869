/**
 * Time helpers shared by the SMHI parsers and resolvers. SMHI's observation services send epoch
 * milliseconds, its forecast and warning services ISO-8601 strings (warnings with milliseconds);
 * everything leaves this subgraph as ISO-8601 UTC, `YYYY-MM-DDTHH:mm:ssZ`.
 */
import { looseNumber } from '../../kit/validate.ts';

/** Epoch ms → `YYYY-MM-DDTHH:mm:ssZ` (milliseconds kept only when not zero); null when not a date. */
export function isoFromMs(ms: number): string | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace('.000Z', 'Z');
}

/** Normalises an ISO timestamp to UTC; a value that does not parse is kept as SMHI sent it. */
export function toIsoUtc(value: string): string {
  return isoFromMs(Date.parse(value)) ?? value;
}

/** Epoch milliseconds (number or numeric string) → ISO-8601 UTC; anything else → null. */
export function epochToIso(value: unknown): string | null {
  const ms = looseNumber(value);
  return ms === null ? null : isoFromMs(ms);
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Epoch ms of an ISO-8601 date-time that carries a time zone, or null. Stricter than `Date.parse`,
 * which rolls impossible calendar dates over ("2026-02-31" becomes 3 March) instead of refusing them.
 */
export function parseZonedDateTime(value: string): number | null {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
