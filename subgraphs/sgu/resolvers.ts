import { upstreamDate, upstreamDateTime } from '../../kit/datetime.ts';
import { badInput } from '../../kit/errors.ts';
import { haversineKm } from '../../kit/geo.ts';
import { pointKey } from '../../kit/loaders.ts';
import { geography, requireMunicipality, requireSwedishPoint } from '../../kit/sweden.ts';
import { isMunicipalityCode, MAX_WELLS_WINDOW, STATION_ID, type Station } from './client.ts';
import type { SguContext } from './context.ts';
import type { Resolvers } from './generated/resolvers-types.ts';

const AGENCY = 'sgu';
const DAY_MS = 86_400_000;
/** `latestLevel` looks this far back from the end of the station's series. */
export const LATEST_WINDOW_DAYS = 400;
/** Default span of `levels` when `from` is not given. */
export const DEFAULT_LEVELS_DAYS = 365;
export const LIMITS = {
  levels: { min: 1, max: 1000 },
  wells: { min: 1, max: 500 },
  nearest: { min: 1, max: 50 },
  withinKm: { min: 0.1, max: 100 },
} as const;

/**
 * A numeric argument (the default when not given), or BAD_USER_INPUT naming the field, the argument
 * and the range: an integer count, or a distance in km.
 */
function inRange(
  field: string,
  arg: string,
  value: number | null | undefined,
  fallback: number,
  { min, max }: { min: number; max: number },
  kind: 'integer' | 'km' = 'integer',
): number {
  const v = value ?? fallback;
  const whole = kind === 'km' || Number.isInteger(v);
  if (!Number.isFinite(v) || !whole || v < min || v > max) {
    const allowed = kind === 'km' ? `${min} to ${max} km` : `an integer from ${min} to ${max}`;
    throw badInput(`${field}(${arg}: ${v}) is out of range: use ${allowed}.`, AGENCY);
  }
  return v;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A "YYYY-MM-DD" argument as epoch ms (UTC midnight), or BAD_USER_INPUT. */
function dateArg(name: string, value: string): number {
  const ms = DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw badInput(`${name} "${value}" is not a date: use "YYYY-MM-DD", e.g. "2024-01-31".`, AGENCY);
  }
  return ms;
}

/** The CQL literal of a UTC midnight, in the form SGU's clients send (`2020-01-01T00:00:00+00:00`). */
const cqlInstant = (ms: number) => `${new Date(ms).toISOString().slice(0, 10)}T00:00:00+00:00`;
const midnight = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/**
 * The end of a station's series (`tdat`), else today. Anchoring windows on the station's own data
 * keeps the requests (and so the cache and the offline snapshot) stable from day to day.
 */
function anchorOf(station: Station, now: () => number): number {
  const end = station.monitoredTo === null ? Number.NaN : Date.parse(station.monitoredTo);
  // An end date in the future (an open series, e.g. a far-future placeholder) is today.
  return midnight(Number.isNaN(end) ? now() : Math.min(end, now()));
}

function requireStationId(id: string): string {
  if (!STATION_ID.test(id)) {
    throw badInput(
      `Groundwater station id "${id}" is not an SGU id: use the platsbeteckning, 1–40 letters, digits, "_", "-" or ".", e.g. "95_2".`,
      AGENCY,
    );
  }
  return id;
}

/** An SGU date (fdat, tdat, borrdatum) for a `Date` field; a date-time gives its day. */
const sguDate = (value: string | null, what: string, partial: 'null' | 'error' = 'error') =>
  upstreamDate(value, { agency: AGENCY, what, partial });

/**
 * The drilling date as precisely as SGU gives it: the day, or the year / year-month as sent (checked
 * to be one); anything else is UPSTREAM_BAD_RESPONSE.
 */
function drilledPeriod(value: string | null): string | null {
  const day = sguDate(value, "a well's `borrdatum`", 'null');
  return day ?? (value === null || value.trim() === '' ? null : value.trim());
}

// One collator for every comparison: `localeCompare` with a locale builds one per call (3 % of the
// CPU of "a municipality at a glance" when profiled).
const stationIdOrder = new Intl.Collator('sv', { numeric: true });
const byId = (a: Station, b: Station) => stationIdOrder.compare(a.id, b.id);

export function createResolvers(deps: { now: () => number }): Resolvers {
  const { now } = deps;

  async function stationFrom(ref: Station | { id: string }, ctx: SguContext): Promise<Station | null> {
    return 'monitoredTo' in ref ? ref : ctx.loaders.station.load(ref.id);
  }

  function rememberStations(stations: readonly Station[], ctx: SguContext) {
    for (const s of stations) ctx.loaders.station.prime(s.id, s);
  }

  return {
    Query: {
      groundwaterStation: (_, { id }, ctx) => ctx.loaders.station.load(requireStationId(id)),
    },

    GroundwaterStation: {
      __resolveReference: async (ref, ctx) =>
        STATION_ID.test(ref.id) ? stationFrom(ref as Station | { id: string }, ctx) : null,
      municipality: (s) => (isMunicipalityCode(s.municipalityCode) ? { code: s.municipalityCode } : null),
      county: (s) =>
        s.countyCode !== null && geography().counties.has(s.countyCode) ? { code: s.countyCode } : null,
      location: (s) => s.location,
      firstMeasuredOn: (s) => sguDate(s.monitoredFrom, "a station's `fdat`"),
      lastMeasuredOn: (s) => sguDate(s.monitoredTo, "a station's `tdat`"),
      levels: async (s, { from, to, limit }, ctx) => {
        const take = inRange('levels', 'limit', limit, 100, LIMITS.levels);
        const fromMs = from == null ? undefined : dateArg('levels(from)', from);
        const toMs = to == null ? undefined : dateArg('levels(to)', to);
        if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) {
          throw badInput(
            `levels(from: "${from}") is after levels(to: "${to}"): from must not be later than to.`,
            AGENCY,
          );
        }
        // Without `from`: the DEFAULT_LEVELS_DAYS days up to and including `to`, or without `to`
        // those before the end of the series (anchoring on the series when only `to` is given
        // would ask for an empty range whenever `to` is more than a year before it).
        const start =
          fromMs ?? (toMs === undefined ? anchorOf(s, now) : toMs + DAY_MS) - DEFAULT_LEVELS_DAYS * DAY_MS;
        const end = toMs === undefined ? '' : cqlInstant(toMs + DAY_MS);
        const result = await ctx.loaders.levels.load(`${s.id}|${cqlInstant(start)}|${end}`);
        return result ? result.items.slice(-take) : null;
      },
      latestLevel: async (s, _, ctx) => {
        const station = await stationFrom(s, ctx);
        if (!station) return null;
        const from = cqlInstant(anchorOf(station, now) - LATEST_WINDOW_DAYS * DAY_MS);
        const result = await ctx.loaders.levels.load(`${station.id}|${from}|`);
        return result?.items.at(-1) ?? null;
      },
    },

    Municipality: {
      __resolveReference: (ref) => ({ code: ref.code }),
      groundwaterStations: async (m, _, ctx) => {
        const { code } = requireMunicipality(m.code, AGENCY);
        const listing = await ctx.loaders.stationsInMunicipality.load(code);
        if (!listing) return null;
        rememberStations(listing.items, ctx);
        return [...listing.items].sort(byId);
      },
      wells: async (m, { limit, offset }, ctx) => {
        const { code } = requireMunicipality(m.code, AGENCY);
        const take = inRange('wells', 'limit', limit, 20, LIMITS.wells);
        const skip = inRange('wells', 'offset', offset, 0, { min: 0, max: MAX_WELLS_WINDOW - take });
        const listing = await ctx.loaders.wells.load(`${code}|${skip + take}`);
        return listing ? listing.items.slice(skip, skip + take) : null;
      },
      wellsPage: async (m, { limit, offset }, ctx) => {
        const { code } = requireMunicipality(m.code, AGENCY);
        const take = inRange('wellsPage', 'limit', limit, 20, { min: 0, max: LIMITS.wells.max });
        const skip = inRange('wellsPage', 'offset', offset, 0, { min: 0, max: MAX_WELLS_WINDOW - take });
        const listing = take === 0 ? null : await ctx.loaders.wells.load(`${code}|${skip + take}`);
        // SGU's numberMatched of the listing, else its own count (one `limit=1` request).
        const totalCount = listing?.total ?? (await ctx.loaders.wellCount.load(code));
        return {
          totalCount,
          limit: take,
          offset: skip,
          nodes: listing ? listing.items.slice(skip, skip + take) : [],
        };
      },
      wellCount: (m, _, ctx) => ctx.loaders.wellCount.load(requireMunicipality(m.code, AGENCY).code),
    },

    GroundwaterLevel: {
      // UNCONFIRMED: SGU does not say which zone a time without one is in; Swedish local time is assumed.
      measuredAt: (l) =>
        upstreamDateTime(l.date, { agency: AGENCY, what: "a level's `obsdatum`", local: 'europe-stockholm' }),
    },

    Well: {
      drilledOn: (w) => sguDate(w.drilledDate, "a well's `borrdatum`", 'null'),
      drilledPeriod: (w) => drilledPeriod(w.drilledDate),
      use: (w) => (w.useCode === null && w.use === null ? null : { code: w.useCode, description: w.use }),
      location: (w) => w.location,
      municipality: (w) => (isMunicipalityCode(w.municipalityCode) ? { code: w.municipalityCode } : null),
    },

    Place: {
      __resolveReference: (ref) => ({ latitude: ref.latitude, longitude: ref.longitude }),
      soilType: (p, _, ctx) => {
        requireSwedishPoint(p.latitude, p.longitude, AGENCY);
        return ctx.loaders.soil.load(pointKey(p.latitude, p.longitude));
      },
      bedrock: (p, _, ctx) => {
        requireSwedishPoint(p.latitude, p.longitude, AGENCY);
        return ctx.loaders.bedrock.load(pointKey(p.latitude, p.longitude));
      },
      nearestGroundwaterStations: async (p, { limit, withinKm }, ctx) => {
        const take = inRange('nearestGroundwaterStations', 'limit', limit, 5, LIMITS.nearest);
        const km = inRange('nearestGroundwaterStations', 'withinKm', withinKm, 25, LIMITS.withinKm, 'km');
        requireSwedishPoint(p.latitude, p.longitude, AGENCY);
        const stations = await ctx.loaders.stationsNear.load(`${pointKey(p.latitude, p.longitude)},${km}`);
        if (!stations) return null;
        rememberStations(stations, ctx);
        return stations
          .flatMap((station) =>
            station.location
              ? [
                  {
                    station,
                    // Kilometres to 3 decimals (metres).
                    distanceKm:
                      Math.round(
                        haversineKm(
                          p.latitude,
                          p.longitude,
                          station.location.latitude,
                          station.location.longitude,
                        ) * 1000,
                      ) / 1000,
                  },
                ]
              : [],
          )
          .filter((n) => n.distanceKm <= km)
          .sort((a, b) => a.distanceKm - b.distanceKm || byId(a.station, b.station))
          .slice(0, take);
      },
    },
  };
}
