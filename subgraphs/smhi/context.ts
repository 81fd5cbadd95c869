import type DataLoader from 'dataloader';
import type { PlaceRef } from '../../kit/entities.ts';
import type { CountyRecord } from '../../kit/sweden.ts';
import type { RequestTrace } from '../../kit/upstream.ts';
import type { Forecast } from './client.ts';
import type { LatestHourSet, LatestReading, StationData, StationList } from './metobs.ts';
import type { WarningModel } from './warnings.ts';

export type { PlaceRef };

export interface MunicipalityRef {
  code: string;
  centroid?: PlaceRef;
}

export type CountyRef = Pick<CountyRecord, 'code'>;

/** A forecast run as answered for a requested point. */
export interface ForecastRunModel {
  forecast: Forecast;
  requested: PlaceRef;
}

/** `CurrentWeather` is resolved lazily per field: only the parameters asked for are loaded. */
/** The place asked about and how far from it a station may be. */
export type CurrentWeatherModel = PlaceRef & { withinKm: number };

/** The nearest station's latest reading of one parameter. */
export interface CurrentObservationModel {
  parameter: number;
  reading: LatestReading & { latest: NonNullable<LatestReading['latest']> };
  distanceKm: number;
}

/** Per-request context: loaders live and die with the request. */
export interface SmhiContext {
  trace: RequestTrace;
  /** Most distinct forecast points one request may ask for (SMHI_MAX_FORECAST_POINTS). */
  maxForecastPoints: number;
  /** The distinct forecast points this request has asked for so far. */
  forecastPoints: Set<string>;
  loaders: {
    /** Keyed by "lat,lon" rounded to 6 decimals: identical points share one call. */
    forecast: DataLoader<string, Forecast | null>;
    /** Keyed by metobs parameter id. */
    stationList: DataLoader<number, StationList | null>;
    /** Keyed by "parameter|station|period". */
    stationData: DataLoader<string, StationData | null>;
    /** The all-stations latest-hour set, keyed by parameter id. */
    latestHour: DataLoader<number, LatestHourSet | null>;
    /** Keyed by "parameter|lat,lon": the nearest station with a value. */
    nearestReading: DataLoader<string, CurrentObservationModel | null>;
    /** The one warnings document (key "all"). */
    warnings: DataLoader<'all', WarningModel[] | null>;
  };
}
