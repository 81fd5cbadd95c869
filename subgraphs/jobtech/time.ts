/**
 * JobSearch sends date-times without a time zone ("2024-04-24T14:27:02"). They are Swedish local
 * time (UNCONFIRMED by JobTech, but Platsbanken shows them so); we attach the Europe/Stockholm
 * offset valid at that moment, with Intl (no dependency), so winter dates get +01:00 and summer
 * dates +02:00.
 */

export const SWEDISH_TIME_ZONE = 'Europe/Stockholm';

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

const formatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: SWEDISH_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Swedish wall-clock time of an instant. */
function wallAt(utcMs: number): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter.formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts['year'] ?? 0,
    month: parts['month'] ?? 0,
    day: parts['day'] ?? 0,
    hour: parts['hour'] ?? 0,
    minute: parts['minute'] ?? 0,
    second: parts['second'] ?? 0,
  };
}

const wallMs = (w: Wall) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** Offset of Swedish time from UTC at an instant, in ms (3 600 000 in winter, 7 200 000 in summer). */
export function swedishOffsetMs(utcMs: number): number {
  return wallMs(wallAt(utcMs - (utcMs % 1000))) - (utcMs - (utcMs % 1000));
}

/**
 * The instant of a Swedish wall-clock time. In the autumn hour that occurs twice the earlier
 * (summer-time) instant is taken; a time in the spring gap is read with the winter offset, i.e.
 * moved forward (both as Temporal's "compatible" disambiguation).
 */
function instantOfWall(local: number): number {
  const before = swedishOffsetMs(local - 86_400_000);
  const after = swedishOffsetMs(local + 86_400_000);
  const valid = [...new Set([before, after])].filter((o) => swedishOffsetMs(local - o) === o);
  if (valid.length === 0) return local - before;
  return local - Math.max(...valid);
}

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

/** An instant as ISO-8601 in Swedish local time with its offset, e.g. "2024-04-24T14:27:02+02:00". */
export function formatSwedish(utcMs: number): string {
  const w = wallAt(utcMs);
  const offsetMin = Math.round(swedishOffsetMs(utcMs) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  return (
    `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}` +
    `${sign}${pad(Math.trunc(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`
  );
}

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
  return formatSwedish(instantOfWall(local));
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
