/**
 * Upstream dates and times → the graph's `DateTime` (RFC 3339 date-time with an offset) and `Date`
 * (RFC 3339 full-date). The agencies send ISO-8601 in several forms: with `Z` (SMHI, SCB v2, SGU),
 * with a Swedish offset (the catalogue registry), without any zone (JobTech; SCB's v1 listings), with
 * or without seconds, or only a year or a month (SGU's borrdatum, DCAT's gYear). Normalising keeps
 * the instant and the offset the agency gave and only fixes the form (seconds added, `+0200` →
 * `+02:00`, upper-case `T`/`Z`); a time without a zone is read as Swedish local time
 * (Europe/Stockholm) where the agency is known to send local times, and refused elsewhere.
 * A value that cannot be normalised is never passed on: the field is null with an
 * UPSTREAM_BAD_RESPONSE error saying what the agency sent and what was expected.
 */

import { GraphQLDate, GraphQLDateTime } from 'graphql-scalars';
import { LRUCache } from 'lru-cache';
import { UpstreamError } from './errors.ts';

export const SWEDISH_TIME_ZONE = 'Europe/Stockholm';

// --------------------------------------------------------------------------------------------
// Swedish local time (Intl, no dependency): +01:00 in winter, +02:00 in summer.
// --------------------------------------------------------------------------------------------

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
  const whole = utcMs - (((utcMs % 1000) + 1000) % 1000);
  return wallMs(wallAt(whole)) - whole;
}

/**
 * The instant of a Swedish wall-clock time given as if it were UTC (`Date.UTC(y, m, d, h, …)`). In the
 * autumn hour that occurs twice the earlier (summer-time) instant is taken; a time in the spring gap
 * is read with the winter offset, i.e. moved forward (both as Temporal's "compatible" disambiguation).
 */
export function instantOfSwedishWall(local: number): number {
  const before = swedishOffsetMs(local - 86_400_000);
  const after = swedishOffsetMs(local + 86_400_000);
  const valid = [...new Set([before, after])].filter((o) => swedishOffsetMs(local - o) === o);
  if (valid.length === 0) return local - before;
  return local - Math.max(...valid);
}

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

function offsetText(offsetMs: number): string {
  const minutes = Math.round(offsetMs / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.trunc(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

/** An instant as RFC 3339 in Swedish local time with its offset, e.g. "2024-04-24T14:27:02+02:00". */
export function formatSwedish(utcMs: number): string {
  const w = wallAt(utcMs);
  return (
    `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}` +
    offsetText(swedishOffsetMs(utcMs))
  );
}

// --------------------------------------------------------------------------------------------
// Parsing and normalising
// --------------------------------------------------------------------------------------------

/** What a date-time without a zone means for an agency. */
export type LocalTimePolicy =
  /** Swedish local time: the Europe/Stockholm offset valid at that moment is attached. */
  | 'europe-stockholm'
  /** Not accepted: the agency documents its times with a zone, so a missing one is an error. */
  | 'reject';

/** A normalised value, or what was wrong with it (in words, for the error message). */
export type Normalised = { ok: true; value: string } | { ok: false; problem: string };

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const YEAR_OR_MONTH = /^(\d{4})(?:-(\d{2}))?$/;

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0–99 to 1900–1999; no agency sends those, and they are refused.
  return year >= 1000 && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** The library's own check, so that a value we pass on is one the scalar serialises. */
function acceptedByScalar(scalar: typeof GraphQLDateTime | typeof GraphQLDate, value: string): boolean {
  try {
    scalar.serialize(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * An ISO-8601 date-time as RFC 3339 with an offset: the agency's offset is kept, `Z` stays `Z`,
 * missing seconds become `:00`, `+0200`/`+02` become `+02:00`; without a zone, `local` decides.
 */
export function normaliseDateTime(value: string, local: LocalTimePolicy): Normalised {
  // The same upstream times come back with every cached answer (a forecast's steps): each distinct
  // text is checked once (the scalar's own check was 2 % of an executed "municipality at a glance").
  const key = `${local}\u0000${value}`;
  let known = normalised.get(key);
  if (known === undefined) {
    known = Object.freeze(normalise(value, local));
    normalised.set(key, known);
  }
  return known;
}
const normalised = new LRUCache<string, Normalised>({ max: 20_000 });

function normalise(value: string, local: LocalTimePolicy): Normalised {
  const text = value.trim();
  const m = DATE_TIME.exec(text);
  if (!m) {
    return {
      ok: false,
      problem: FULL_DATE.test(text)
        ? 'a date without a time'
        : 'not an ISO-8601 date-time (expected e.g. 2026-04-02T12:00:00Z)',
    };
  }
  const [, y, mo, d, h, mi, s = '00', frac = '', zulu, sign, oh, om = '00'] = m;
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  if (!isCalendarDate(year, month, day)) return { ok: false, problem: 'not a calendar date' };
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return { ok: false, problem: 'not a time of day' };
  const wall = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}`;
  let zone: string;
  if (zulu) zone = 'Z';
  else if (sign) {
    if (Number(oh) > 23 || Number(om) > 59) return { ok: false, problem: 'not a valid UTC offset' };
    zone = `${sign}${oh}:${om}`;
  } else if (local === 'europe-stockholm') {
    const localMs = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s));
    const instant = instantOfSwedishWall(localMs);
    // A time in the spring-forward gap does not exist on Swedish clocks: it moves forward an hour.
    if (instant + swedishOffsetMs(instant) !== localMs) return { ok: true, value: formatSwedish(instant) };
    zone = offsetText(swedishOffsetMs(instant));
  } else {
    return { ok: false, problem: 'a date-time without a time zone' };
  }
  const out = `${wall}${zone}`;
  return acceptedByScalar(GraphQLDateTime, out)
    ? { ok: true, value: out }
    : { ok: false, problem: 'not an RFC 3339 date-time' };
}

/** What a date with less precision than a day (a year, a year-month) gives. */
export type PartialDatePolicy = 'null' | 'error';

/**
 * An ISO-8601 date as an RFC 3339 full-date. A date-time gives its calendar date as written (in its
 * own offset). A year or a year-month is `{ ok: true, value: null }` under `partial: 'null'`.
 */
export function normaliseDate(
  value: string,
  partial: PartialDatePolicy = 'error',
): { ok: true; value: string | null } | { ok: false; problem: string } {
  const text = value.trim();
  const coarse = YEAR_OR_MONTH.exec(text);
  if (coarse) {
    const month = coarse[2] === undefined ? 1 : Number(coarse[2]);
    if (month < 1 || month > 12) return { ok: false, problem: 'not a calendar month' };
    return partial === 'null'
      ? { ok: true, value: null }
      : { ok: false, problem: 'a year or a month, not a whole day' };
  }
  const date = FULL_DATE.exec(text.slice(0, 10));
  // A date-time gives its date, but only when the whole value is a valid date-time.
  if (!date || (text.length > 10 && !normaliseDateTime(text, 'europe-stockholm').ok)) {
    return { ok: false, problem: 'not an ISO-8601 date (expected e.g. 2026-04-02)' };
  }
  const [, y, mo, d] = date;
  if (!isCalendarDate(Number(y), Number(mo), Number(d))) return { ok: false, problem: 'not a calendar date' };
  const out = `${y}-${mo}-${d}`;
  return acceptedByScalar(GraphQLDate, out)
    ? { ok: true, value: out }
    : { ok: false, problem: 'not an RFC 3339 full-date' };
}

// --------------------------------------------------------------------------------------------
// For resolvers: null when the agency gives nothing, the normalised value, or a typed error.
// --------------------------------------------------------------------------------------------

/** Where a value came from, for the error message. */
export interface TimeSource {
  /** The agency as the kit names it (`smhi`, `scb`, …): the error's `agency`. */
  agency: string;
  /** How the message names the agency (default: `agency` in capitals, e.g. "SMHI"). */
  name?: string;
  /** What the agency calls the value, e.g. "`updated`" or "the ad's `publication_date`". */
  what: string;
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify((text ?? String(value)).slice(0, 40));
}

function badTime(value: unknown, source: TimeSource, problem: string): UpstreamError {
  return new UpstreamError(
    'BAD_PAYLOAD',
    source.agency,
    `${source.name ?? source.agency.toUpperCase()} sent ${source.what} as ${shown(value)}: ${problem}, so it is left out.`,
  );
}

const absent = (value: unknown): value is null | undefined | '' =>
  value === null || value === undefined || (typeof value === 'string' && value.trim() === '');

/**
 * An upstream date-time for a `DateTime` field: null when the agency gives none, else RFC 3339 with an
 * offset; anything else throws UPSTREAM_BAD_RESPONSE (the field is null with that error on its path).
 */
export function upstreamDateTime(
  value: unknown,
  source: TimeSource & { local?: LocalTimePolicy },
): string | null {
  if (absent(value)) return null;
  if (typeof value !== 'string') throw badTime(value, source, 'not a text date-time');
  const result = normaliseDateTime(value, source.local ?? 'reject');
  if (!result.ok) throw badTime(value, source, result.problem);
  return result.value;
}

/**
 * An upstream date for a `Date` field: null when the agency gives none (and, with `partial: 'null'`,
 * when it gives only a year or a month), else the RFC 3339 full-date; anything else throws
 * UPSTREAM_BAD_RESPONSE.
 */
export function upstreamDate(
  value: unknown,
  source: TimeSource & { partial?: PartialDatePolicy },
): string | null {
  if (absent(value)) return null;
  if (typeof value !== 'string') throw badTime(value, source, 'not a text date');
  const result = normaliseDate(value, source.partial ?? 'error');
  if (!result.ok) throw badTime(value, source, result.problem);
  return result.value;
}
