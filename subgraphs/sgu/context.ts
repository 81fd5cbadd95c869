import type DataLoader from 'dataloader';
import type { RequestTrace } from '../../kit/upstream.ts';
import type { Bedrock, Level, Listing, SoilType, Station, Well } from './client.ts';

export type { CountyRef, MunicipalityRef, PlaceRef } from '../../kit/entities.ts';

export interface NearbyStation {
  station: Station;
  distanceKm: number;
}

export interface WellUseModel {
  code: string | null;
  description: string | null;
}

/** Per-request context: loaders live and die with the request. */
export interface SguContext {
  trace: RequestTrace;
  loaders: {
    /** By station id; ids asked for in one tick share one `platsbeteckning in (...)` request. */
    station: DataLoader<string, Station | null>;
    /** By municipality code. */
    stationsInMunicipality: DataLoader<string, Listing<Station> | null>;
    /** By "lat,lon,radiusKm". */
    stationsNear: DataLoader<string, Station[] | null>;
    /** By "stationId|from|toExclusive". */
    levels: DataLoader<string, Listing<Level> | null>;
    /** By "code|take". */
    wells: DataLoader<string, Listing<Well> | null>;
    /** By municipality code. */
    wellCount: DataLoader<string, number | null>;
    /** By "lat,lon". */
    soil: DataLoader<string, SoilType | null>;
    /** By "lat,lon". */
    bedrock: DataLoader<string, Bedrock | null>;
  };
}
