/**
 * JobSearch sends date-times without a time zone ("2024-04-24T14:27:02"). They are Swedish local
 * time (UNCONFIRMED by JobTech, but Platsbanken shows them so); we attach the Europe/Stockholm
 * offset valid at that moment, with Intl (no dependency), so winter dates get +01:00 and summer
 * dates +02:00.
 */

import { formatSwedish, instantOfSwedishWall } from '../../kit/datetime.ts';

// The Swedish-time arithmetic lives in the kit (SCB's older listings need it too); re-exported here
// for the simulator, which imports it from here.
export { swedishOffsetMs } from '../../kit/datetime.ts';

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * A JobSearch date-time (no zone = Swedish local time; a value that already has a zone is kept as
 * that instant) as ISO-8601 with the Swedish offset. Unparseable or absent → null.
 */
export function swedishIso(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (WITH_ZONE.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? null : formatSwedish(ms);
  }
  const m = LOCAL.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(local);
  // Reject impossible dates such as 2024-02-30 (Date.UTC would roll them over).
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  return formatSwedish(instantOfSwedishWall(local));
}

/**
 * A client's `publishedAfter` as JobSearch wants it: Swedish local time "YYYY-MM-DDTHH:MM:SS".
 * Accepts a date, a local date-time (read as Swedish time) or a date-time with Z/offset (converted).
 * Returns null when the value is not an ISO-8601 date or date-time.
 */
export function toSwedishLocal(value: string): string | null {
  const iso = swedishIso(value);
  return iso === null ? null : iso.slice(0, 19);
}
