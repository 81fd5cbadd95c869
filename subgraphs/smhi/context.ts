import type DataLoader from 'dataloader';
import type { RequestTrace } from '../kit/upstream.ts';
import type { Forecast } from './client.ts';

export interface PlaceRef {
  latitude: number;
  longitude: number;
}

export interface MunicipalityRef {
  code: string;
  centroid?: PlaceRef;
}

/** Per-request context: loaders live and die with the request. */
export interface SmhiContext {
  trace: RequestTrace;
  loaders: {
    /** Keyed by "lat,lon" rounded to 6 decimals: identical points share one call. */
    forecast: DataLoader<string, Forecast | null>;
  };
}
