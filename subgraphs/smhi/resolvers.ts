import { type GraphQLResolveInfo, getArgumentValues, isObjectType, Kind, type SelectionNode } from 'graphql';
import { upstreamDate, upstreamDateTime } from '../../kit/datetime.ts';
import { badInput, UpstreamError } from '../../kit/errors.ts';
import { haversineKm } from '../../kit/geo.ts';
import { pointKey } from '../../kit/loaders.ts';
import {
  geography,
  requireCounty,
  requireMunicipality,
  requireSwedishPoint,
  round6,
} from '../../kit/sweden.ts';
import type { Forecast, ForecastStep, ObservationPeriodKey } from './client.ts';
import {
  CURRENT_WEATHER_PARAMETERS,
  type CurrentWeatherField,
  METOBS_PARAMETERS,
  metobsParameter,
  weatherSymbol,
} from './codes.ts';
import type {
  CurrentObservationModel,
  CurrentWeatherModel,
  MunicipalityRef,
  PlaceRef,
  SmhiContext,
} from './context.ts';
import type {
  ObservationPeriod,
  Resolvers,
  WarningLevel as WarningLevelArg,
} from './generated/resolvers-types.ts';
import { latestWithValue, type StationRecord } from './metobs.ts';
import { parseZonedDateTime } from './time.ts';
import {
  areaCoversMunicipality,
  areaCoversPoint,
  atLeast,
  highestLevel,
  type WarningModel,
  withAreas,
} from './warnings.ts';

const AGENCY = 'smhi';
export const MAX_FORECAST_HOURS = 240;
export const DEFAULT_FORECAST_HOURS = 24;
const HOUR_MS = 3_600_000;

/** GraphQL period → metobs path segment. */
const PERIOD_KEYS: Record<ObservationPeriod, ObservationPeriodKey> = {
  LATEST_HOUR: 'latest-hour',
  LATEST_DAY: 'latest-day',
  LATEST_MONTHS: 'latest-months',
};

// --------------------------------------------------------------------------------------------
// Input validation: every check runs before any upstream call and says what is allowed.
// --------------------------------------------------------------------------------------------

function parseTime(name: string, value: string): number {
  const ms = parseZonedDateTime(value);
  if (ms === null) {
    throw badInput(
      `forecast(${name}: "${value}") is not an ISO-8601 date-time with a time zone: use e.g. "2026-04-02T12:00:00Z".`,
      AGENCY,
    );
  }
  return ms;
}

/** A validated forecast window: steps with `time` in [start, end) or, with `to`, [start, to]. */
export interface ForecastWindow {
  from: number | null;
  to: number | null;
  hours: number;
}

export function checkWindow(args: {
  hours?: number | null | undefined;
  from?: string | null | undefined;
  to?: string | null | undefined;
}): ForecastWindow {
  const { hours, from, to } = args;
  if (hours !== null && hours !== undefined) {
    if (!Number.isInteger(hours) || hours < 1 || hours > MAX_FORECAST_HOURS) {
      throw badInput(
        `forecast(hours: ${hours}) is out of range: hours must be an integer from 1 to ${MAX_FORECAST_HOURS}.`,
        AGENCY,
      );
    }
    if (to !== null && to !== undefined) {
      throw badInput(
        'forecast: give either `hours` or `to`, not both (`to` ends the window itself).',
        AGENCY,
      );
    }
  }
  const fromMs = from === null || from === undefined ? null : parseTime('from', from);
  const toMs = to === null || to === undefined ? null : parseTime('to', to);
  if (fromMs !== null && toMs !== null) {
    if (toMs <= fromMs) {
      throw badInput(`forecast: \`to\` (${to}) must be after \`from\` (${from}).`, AGENCY);
    }
    if (toMs - fromMs > MAX_FORECAST_HOURS * HOUR_MS) {
      throw badInput(
        `forecast: \`from\`–\`to\` spans more than ${MAX_FORECAST_HOURS} hours (SMHI's forecast reaches about 10 days).`,
        AGENCY,
      );
    }
  }
  return { from: fromMs, to: toMs, hours: hours ?? DEFAULT_FORECAST_HOURS };
}

/** The steps of the run inside the window. */
export function stepsIn(forecast: Forecast, window: ForecastWindow): ForecastStep[] {
  const first = forecast.steps[0];
  if (!first) return [];
  const times = stepTimes(forecast);
  const start = window.from ?? times[0]!;
  return forecast.steps.filter((_, i) => {
    const t = times[i]!;
    if (t < start) return false;
    return window.to !== null ? t <= window.to : t < start + window.hours * HOUR_MS;
  });
}

/** Each step's time in ms, parsed once per forecast (a cached forecast serves many requests). */
const parsedTimes = new WeakMap<Forecast, number[]>();
function stepTimes(forecast: Forecast): number[] {
  let times = parsedTimes.get(forecast);
  if (!times) {
    times = forecast.steps.map((s) => Date.parse(s.time));
    parsedTimes.set(forecast, times);
  }
  return times;
}

function checkParameter(parameter: number | null | undefined, field: string): number {
  const p = parameter ?? 1;
  if (!metobsParameter(p)) {
    throw badInput(
      `${field}(parameter: ${p}) is not a known SMHI observation parameter: use an id from 1 to ${METOBS_PARAMETERS.length} ` +
        '(e.g. 1 air temperature, 3 wind direction, 4 wind speed, 6 humidity, 7 precipitation, 9 pressure, 21 gust); see `weatherParameters`.',
      AGENCY,
    );
  }
  return p;
}

const STATION_ID = /^\d{1,8}$/;

function checkStationId(id: string): string {
  if (!STATION_ID.test(id)) {
    throw badInput(
      `Weather station id "${id}" is malformed: use SMHI's numeric station id (1–8 digits), e.g. "98210". See \`weatherStations\`.`,
      AGENCY,
    );
  }
  return id;
}

/** A distance argument in km (the default when not given), or BAD_USER_INPUT saying the range. */
function kmInRange(
  field: string,
  arg: string,
  value: number | null | undefined,
  fallback: number,
  [min, max]: [number, number],
) {
  const km = value ?? fallback;
  if (!Number.isFinite(km) || km < min || km > max) {
    throw badInput(`${field}(${arg}: ${km}) is out of range: use ${min} to ${max} km.`, AGENCY);
  }
  return km;
}

/** Kilometres to 3 decimals (metres), as every distance of this subgraph is given. */
const km3 = (km: number) => Math.round(km * 1000) / 1000;

/**
 * Admits one forecast point for this request, or refuses it once the request has asked for more
 * distinct points than allowed. Identical points are free (they share one upstream call).
 */
function admitForecastPoint(ctx: SmhiContext, key: string): void {
  if (ctx.forecastPoints.has(key)) return;
  if (ctx.forecastPoints.size >= ctx.maxForecastPoints) {
    throw badInput(
      `Too many forecast points in one request: at most ${ctx.maxForecastPoints} distinct places or municipalities ` +
        'per request may ask for an SMHI forecast (SMHI asks not to download forecasts for many places at once). ' +
        'Ask for fewer places per request, or raise the limit with the environment variable SMHI_MAX_FORECAST_POINTS.',
      AGENCY,
    );
  }
  ctx.forecastPoints.add(key);
}

// --------------------------------------------------------------------------------------------
// Shared resolver logic
// --------------------------------------------------------------------------------------------

async function runFor(place: PlaceRef, ctx: SmhiContext): Promise<Forecast | null> {
  requireSwedishPoint(place.latitude, place.longitude, AGENCY);
  const key = pointKey(place.latitude, place.longitude);
  admitForecastPoint(ctx, key);
  return ctx.loaders.forecast.load(key);
}

async function forecastFor(
  place: PlaceRef,
  args: { hours?: number | null; from?: string | null; to?: string | null },
  ctx: SmhiContext,
) {
  const window = checkWindow(args);
  const forecast = await runFor(place, ctx);
  return forecast ? stepsIn(forecast, window) : null;
}

/**
 * `forecastRun { steps(...) }` carries its window arguments one level down: check them before the
 * upstream call, like every other bad input.
 */
function preflightSteps(info: GraphQLResolveInfo): void {
  const runType = info.schema.getType('ForecastRun');
  if (!isObjectType(runType)) return;
  const stepsField = runType.getFields()['steps'];
  if (!stepsField) return;
  const visit = (selections: readonly SelectionNode[]) => {
    for (const selection of selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet.selections);
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        visit(info.fragments[selection.name.value]?.selectionSet.selections ?? []);
      }
      if (selection.kind === Kind.FIELD && selection.name.value === 'steps') {
        checkWindow(getArgumentValues(stepsField, selection, info.variableValues));
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet?.selections ?? []);
}

async function forecastRunFor(place: PlaceRef, ctx: SmhiContext, info: GraphQLResolveInfo) {
  preflightSteps(info);
  const forecast = await runFor(place, ctx);
  return forecast ? { forecast, requested: place } : null;
}

function municipalityPoint(m: MunicipalityRef): PlaceRef {
  // @requires gives us the centroid; fall back to the embedded data if a caller omits it.
  return m.centroid ?? requireMunicipality(m.code, AGENCY).centroid;
}

/**
 * The weather now at a place, or null when no station within `withinKm` reported any of the main
 * parameters in the last hour (an object whose every field is null would say nothing). The readings
 * come from the request's loaders (one country-wide call per parameter), so the fields below reuse
 * them. If every parameter's data set failed, the failure is this field's error.
 */
async function currentWeatherFor(
  place: PlaceRef,
  withinKm: number | null | undefined,
  ctx: SmhiContext,
): Promise<CurrentWeatherModel | null> {
  const within = kmInRange('currentWeather', 'withinKm', withinKm, 50, [1, 500]);
  requireSwedishPoint(place.latitude, place.longitude, AGENCY);
  const model = { latitude: place.latitude, longitude: place.longitude, withinKm: within };
  const fields = Object.keys(CURRENT_WEATHER_PARAMETERS) as CurrentWeatherField[];
  const readings = await Promise.allSettled(fields.map((f) => nearest(model, f, ctx)));
  if (readings.some((r) => r.status === 'fulfilled' && r.value !== null)) return model;
  const failed = readings.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed && readings.every((r) => r.status === 'rejected')) throw failed.reason;
  // Some data sets failed and the others have nothing in range: the fields carry the errors.
  return failed ? model : null;
}

/** The nearest station's latest reading of `field`, or null when the nearest is farther than `withinKm`. */
async function nearest(place: CurrentWeatherModel, field: CurrentWeatherField, ctx: SmhiContext) {
  const parameter = CURRENT_WEATHER_PARAMETERS[field];
  const reading = await ctx.loaders.nearestReading.load(
    `${parameter}|${pointKey(place.latitude, place.longitude)}`,
  );
  return reading && reading.distanceKm <= place.withinKm ? reading : null;
}

const latestValue =
  (field: CurrentWeatherField) => async (place: CurrentWeatherModel, _: unknown, ctx: SmhiContext) =>
    (await nearest(place, field, ctx))?.reading.latest.value ?? null;

async function warningsWhere(
  ctx: SmhiContext,
  minLevel: WarningLevelArg | null | undefined,
  match: (area: WarningModel['areas'][number]) => boolean,
): Promise<WarningModel[] | null> {
  const all = await ctx.loaders.warnings.load('all');
  if (all === null) return null;
  return atLeast(all, minLevel ?? null)
    .map((w) => withAreas(w, match))
    .filter((w): w is WarningModel => w !== null);
}

/** The station with this id in the station list of `parameter`; null when the list has none with it. */
async function stationById(id: string, parameter: number, ctx: SmhiContext): Promise<StationRecord | null> {
  // A 404 for the whole list is an error (see stationListOf), not "no such station".
  const list = await stationListOf(parameter, ctx);
  return stationsById(list.stations).get(id) ?? null;
}

/**
 * A station list's stations by id, built once per list (lists come from the cache, frozen and shared
 * by every request): a scan of ~900 stations for each station asked about was a scan per key.
 */
const stationIndexes = new WeakMap<readonly StationRecord[], Map<string, StationRecord>>();
function stationsById(stations: readonly StationRecord[]): Map<string, StationRecord> {
  let index = stationIndexes.get(stations);
  if (!index) {
    index = new Map();
    // The first station with an id wins, as `find` did.
    for (const s of stations) if (!index.has(s.id)) index.set(s.id, s);
    stationIndexes.set(stations, index);
  }
  return index;
}

/** A station field that the record may lack (stations from the latest-hour set): filled from the list. */
function stationField<K extends keyof StationRecord>(key: K) {
  return async (
    station: StationRecord,
    _: unknown,
    ctx: SmhiContext,
  ): Promise<Exclude<StationRecord[K], undefined> | null> => {
    const own = station[key];
    if (own !== undefined) return own as Exclude<StationRecord[K], undefined>;
    const full = await stationById(station.id, station.parameter, ctx);
    return (full?.[key] ?? null) as Exclude<StationRecord[K], undefined> | null;
  };
}

const byName = (a: StationRecord, b: StationRecord) => a.name.localeCompare(b.name, 'sv');

/**
 * A time of SMHI's for a `DateTime` field. SMHI's times carry a zone (ISO-8601 UTC in forecasts and
 * warnings, epoch ms in metobs), so one without a zone, or one that does not parse, is
 * UPSTREAM_BAD_RESPONSE (the deprecated text fields still pass such a value on as SMHI sent it).
 */
const smhiTime = (value: string | null | undefined, what: string) =>
  upstreamDateTime(value, { agency: AGENCY, what });

/** The earliest or latest of some SMHI times (each checked), compared as instants; null for none. */
function extremeTime(values: Array<string | null>, what: string, pick: 'first' | 'last'): string | null {
  const times = values
    .map((v) => smhiTime(v, what))
    .filter((t): t is string => t !== null)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return (pick === 'first' ? times[0] : times.at(-1)) ?? null;
}

/**
 * The station list of a parameter this graph accepts. SMHI answering 404 for it means its API no
 * longer has the parameter (the accepted ids come from SMHI's own list): an error, not an empty list.
 */
async function stationListOf(parameter: number, ctx: SmhiContext) {
  const list = await ctx.loaders.stationList.load(parameter);
  if (list === null)
    throw new UpstreamError(
      'HTTP_STATUS',
      AGENCY,
      `SMHI answered 404 for the station list of parameter ${parameter}, a parameter its API listed: the API has changed`,
      { status: 404 },
    );
  return list;
}

// --------------------------------------------------------------------------------------------

export function createResolvers(): Resolvers {
  return {
    Query: {
      // Every current warning as published (also one without areas); with minLevel, only the
      // warnings and areas at that level or above.
      weatherWarnings: async (_, { minLevel }, ctx) => {
        const all = await ctx.loaders.warnings.load('all');
        return all === null ? null : atLeast(all, minLevel ?? null);
      },
      weatherStations: async (_, { parameter, activeOnly }, ctx) => {
        const p = checkParameter(parameter, 'weatherStations');
        const list = await stationListOf(p, ctx);
        return list.stations.filter((s) => !activeOnly || s.active === true).sort(byName);
      },
      weatherStation: (_, { id, parameter }, ctx) => {
        const p = checkParameter(parameter, 'weatherStation');
        return stationById(checkStationId(id), p, ctx);
      },
      weatherParameters: () => [...METOBS_PARAMETERS],
    },
    ForecastStep: {
      weatherSymbol: (step) => weatherSymbol(step.symbol),
      validAt: (step) => smhiTime(step.time, "a forecast step's `time`"),
      intervalStartsAt: (step) =>
        smhiTime(step.intervalStart, "a forecast step's `intervalParametersStartTime`"),
    },
    ForecastRun: {
      createdTime: (run) => run.forecast.createdTime,
      createdAt: (run) => smhiTime(run.forecast.createdTime, "the forecast's `createdTime`"),
      referenceTime: (run) => run.forecast.referenceTime,
      referenceAt: (run) => smhiTime(run.forecast.referenceTime, "the forecast's `referenceTime`"),
      gridPoint: (run) =>
        run.forecast.point
          ? { latitude: round6(run.forecast.point.latitude), longitude: round6(run.forecast.point.longitude) }
          : null,
      gridDistanceKm: (run) =>
        run.forecast.point
          ? km3(
              haversineKm(
                run.requested.latitude,
                run.requested.longitude,
                run.forecast.point.latitude,
                run.forecast.point.longitude,
              ),
            )
          : null,
      stepCount: (run) => run.forecast.steps.length,
      lastTime: (run) => run.forecast.steps.at(-1)?.time ?? null,
      lastValidAt: (run) => smhiTime(run.forecast.steps.at(-1)?.time, "the last forecast step's `time`"),
      steps: (run, args) => stepsIn(run.forecast, checkWindow(args)),
    },
    WeatherStation: {
      __resolveReference: async (ref, ctx) => {
        const id = checkStationId(ref.id);
        // Most stations measure air temperature; others are found in the lists of the main parameters.
        for (const parameter of new Set<number>([1, ...Object.values(CURRENT_WEATHER_PARAMETERS)])) {
          const station = await stationById(id, parameter, ctx);
          if (station) return station;
        }
        return null;
      },
      owner: stationField('owner'),
      ownerCategory: stationField('ownerCategory'),
      measuringStations: stationField('measuringStations'),
      active: stationField('active'),
      height: stationField('height'),
      from: stationField('from'),
      to: stationField('to'),
      firstMeasuredAt: async (station, _, ctx) =>
        smhiTime(await stationField('from')(station, _, ctx), "a station's `from`"),
      lastMeasuredAt: async (station, _, ctx) =>
        smhiTime(await stationField('to')(station, _, ctx), "a station's `to`"),
      location: (s) => ({ latitude: round6(s.latitude), longitude: round6(s.longitude) }),
      observations: (station, { parameter, period }, ctx) => {
        const p = checkParameter(parameter, 'observations');
        checkStationId(station.id);
        return ctx.loaders.stationData.load(`${p}|${station.id}|${PERIOD_KEYS[period ?? 'LATEST_HOUR']}`);
      },
    },
    ObservationSeries: {
      parameter: (series) => metobsParameter(series.parameter)!,
      period: (series) =>
        (Object.keys(PERIOD_KEYS) as ObservationPeriod[]).find((k) => PERIOD_KEYS[k] === series.period) ??
        'LATEST_HOUR',
      from: (series) => series.periodFrom,
      to: (series) => series.periodTo,
      startsAt: (series) => smhiTime(series.periodFrom, "the period's `from`"),
      endsAt: (series) => smhiTime(series.periodTo, "the period's `to`"),
      updatedAt: (series) => smhiTime(series.updated, "the data's `updated`"),
      latest: (series) => latestWithValue(series.values),
    },
    CurrentWeather: {
      airTemperature: latestValue('airTemperature'),
      windSpeed: latestValue('windSpeed'),
      windDirection: latestValue('windDirection'),
      windGust: latestValue('windGust'),
      relativeHumidity: latestValue('relativeHumidity'),
      precipitation: latestValue('precipitation'),
      pressure: latestValue('pressure'),
      observedAt: async (place, _, ctx) =>
        (await nearest(place, 'airTemperature', ctx))?.reading.latest.time ?? null,
      measuredAt: async (place, _, ctx) =>
        smhiTime(
          (await nearest(place, 'airTemperature', ctx))?.reading.latest.time,
          "an observation's `date`",
        ),
      station: async (place, _, ctx) =>
        (await nearest(place, 'airTemperature', ctx))?.reading.station ?? null,
      distanceKm: async (place, _, ctx) => {
        const reading = await nearest(place, 'airTemperature', ctx);
        return reading ? km3(reading.distanceKm) : null;
      },
      observations: async (place, _, ctx) => {
        const fields = Object.keys(CURRENT_WEATHER_PARAMETERS) as CurrentWeatherField[];
        const readings = await Promise.all(fields.map((f) => nearest(place, f, ctx)));
        return readings.filter((r): r is CurrentObservationModel => r !== null);
      },
    },
    Observation: {
      measuredAt: (o) => smhiTime(o.time, "an observation's `date`"),
      intervalStartsAt: (o) => smhiTime(o.intervalStart, "an aggregated observation's `from`"),
      validOn: (o) =>
        upstreamDate(o.ref, { agency: AGENCY, what: "an aggregated observation's `ref`", partial: 'null' }),
    },
    CurrentObservation: {
      parameter: (o) => metobsParameter(o.parameter)!,
      value: (o) => o.reading.latest.value!,
      observedAt: (o) => o.reading.latest.time,
      measuredAt: (o) => smhiTime(o.reading.latest.time, "an observation's `date`"),
      quality: (o) => o.reading.latest.quality,
      station: (o) => o.reading.station,
      distanceKm: (o) => km3(o.distanceKm),
    },
    WeatherWarning: {
      level: (w) => highestLevel(w.areas),
      approximateStart: (w) =>
        w.areas
          .map((a) => a.approximateStart)
          .filter((t): t is string => t !== null)
          .sort()[0] ?? null,
      approximateEnd: (w) => {
        const ends = w.areas.map((a) => a.approximateEnd);
        if (ends.length === 0 || ends.some((t) => t === null)) return null;
        return (ends as string[]).sort().at(-1) ?? null;
      },
      startsAt: (w) =>
        extremeTime(
          w.areas.map((a) => a.approximateStart),
          "a warning area's `approximateStart`",
          'first',
        ),
      endsAt: (w) => {
        const ends = w.areas.map((a) => a.approximateEnd);
        if (ends.length === 0 || ends.some((t) => t === null)) return null;
        return extremeTime(ends, "a warning area's `approximateEnd`", 'last');
      },
    },
    WarningArea: {
      startsAt: (a) => smhiTime(a.approximateStart, "a warning area's `approximateStart`"),
      endsAt: (a) => smhiTime(a.approximateEnd, "a warning area's `approximateEnd`"),
      publishedAt: (a) => smhiTime(a.published, "a warning area's `published`"),
      createdAt: (a) => smhiTime(a.created, "a warning area's `created`"),
      levelCode: (a) => a.warningLevel.code,
      levelName: (a) => ({ sv: a.warningLevel.sv, en: a.warningLevel.en }),
    },
    Place: {
      __resolveReference: (ref) => ({ latitude: ref.latitude, longitude: ref.longitude }),
      forecast: (place, args, ctx) => forecastFor(place, args, ctx),
      forecastRun: (place, _, ctx, info) => forecastRunFor(place, ctx, info),
      currentWeather: (place, { withinKm }, ctx) => currentWeatherFor(place, withinKm, ctx),
      weatherWarnings: (place, { minLevel }, ctx) => {
        requireSwedishPoint(place.latitude, place.longitude, AGENCY);
        return warningsWhere(ctx, minLevel, (a) => areaCoversPoint(a, place.latitude, place.longitude));
      },
      weatherStations: async (place, { radiusKm, parameter, activeOnly }, ctx) => {
        requireSwedishPoint(place.latitude, place.longitude, AGENCY);
        const r = kmInRange('weatherStations', 'radiusKm', radiusKm, 25, [1, 100]);
        const p = checkParameter(parameter, 'weatherStations');
        const list = await stationListOf(p, ctx);
        return list.stations
          .filter((s) => activeOnly === false || s.active === true)
          .map((s) => ({ s, d: haversineKm(place.latitude, place.longitude, s.latitude, s.longitude) }))
          .filter(({ d }) => d <= r)
          .sort((a, b) => a.d - b.d)
          .map(({ s }) => s);
      },
    },
    Municipality: {
      __resolveReference: (ref) => ref,
      forecast: (m, args, ctx) => forecastFor(municipalityPoint(m), args, ctx),
      forecastRun: (m, _, ctx, info) => forecastRunFor(municipalityPoint(m), ctx, info),
      currentWeather: (m, { withinKm }, ctx) => currentWeatherFor(municipalityPoint(m), withinKm, ctx),
      weatherWarnings: (m, { minLevel }, ctx) => {
        const record = requireMunicipality(m.code, AGENCY);
        return warningsWhere(ctx, minLevel, (a) => areaCoversMunicipality(a, record));
      },
    },
    County: {
      __resolveReference: (ref) => ref,
      weatherWarnings: (c, { minLevel }, ctx) => {
        const county = requireCounty(c.code, AGENCY);
        const { municipalities } = geography();
        const members = county.municipalityCodes.map((code) => municipalities.get(code)!);
        // The county's outline is the union of its municipalities' outlines (the embedded county
        // polygons are older than the present division and are never used to decide membership).
        return warningsWhere(ctx, minLevel, (a) => members.some((m) => areaCoversMunicipality(a, m)));
      },
    },
  };
}
