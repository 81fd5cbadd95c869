import type DataLoader from 'dataloader';
import type { RequestTrace } from '../../kit/upstream.ts';
import type { DataResult, ScbClient, SelectionItem, TableInfo, TablePage } from './client.ts';
import type { Cell } from './jsonstat.ts';

/** Municipality, County or the whole country, by SCB region code ("0180", "01", "00"). */
export interface RegionRef {
  code: string;
}

export interface PopulationFigureModel {
  year: number;
  population: number | null;
  period: string;
  table: string;
}

export interface IncomeModel {
  year: number;
  mean: number | null;
  median: number | null;
  unit: string;
  table: string;
}

/** What the region loader batches: one table and selection (without Region), one region code. */
export interface RegionKey {
  table: string;
  selection: SelectionItem[];
  region: string;
}

/** Per-request context: loaders live and die with the request. */
export interface ScbContext {
  trace: RequestTrace;
  client: ScbClient;
  loaders: {
    /** The answer for one region; keys with the same table and selection share one SCB data request. */
    region: DataLoader<RegionKey, DataResult>;
  };
}

/** One row of `County.largestMunicipalities`. */
export interface RankedMunicipalityModel {
  rank: number;
  municipality: RegionRef;
  population: number;
}

/** One row of `Query.rankMunicipalities`. */
export interface MunicipalityRankingModel {
  rank: number;
  municipality: RegionRef;
  value: number;
  year: number;
}

/** One row of `Query.rankCounties`. */
export interface CountyRankingModel {
  rank: number;
  county: RegionRef;
  value: number;
  year: number;
}

/**
 * A page of the table search: SCB's page, and, when asked with `limit`/`offset`, the window of tables
 * those mean (SCB pages by number, so a window can span two of its pages).
 */
export type TablePageModel = TablePage & { window?: { limit: number; offset: number; nodes: TableInfo[] } };

/** A page of a statistics answer's rows. */
export interface RowPageModel {
  cells: Cell[];
  limit: number;
  offset: number;
}
