import type DataLoader from 'dataloader';
import type { RequestTrace } from '../../kit/upstream.ts';
import type { CatalogStatisticsModel, DatasetDetail, ResourceModel, SearchResultModel } from './decode.ts';
import type { SearchParams } from './query.ts';

export type { CountyRef, MunicipalityRef } from '../../kit/entities.ts';
export type {
  CatalogStatisticsModel,
  ContactModel,
  DatasetModel,
  DistributionModel,
  LocationModel,
  PeriodModel,
} from './decode.ts';
export type { LangText } from './rdf.ts';
export type { ServedRule } from './served.ts';

/** `Agency @key(fields: "id")`: the AgencyId value. */
export interface AgencyRef {
  id: string;
}

/** A page as the resolvers hand it on: the decoded search and the page it asked for. */
export interface DatasetPageModel {
  result: SearchResultModel;
  limit: number;
  offset: number;
}

/** Counts of one agency (a `limit=0` search with facets). */
export interface DatasetCountsModel {
  result: SearchResultModel;
}

/** One facet value, with which facet it belongs to (labels and codes depend on it). */
export interface FacetCountModel {
  facet: 'publishers' | 'themes' | 'formats' | 'highValueCategories';
  value: string;
  count: number;
}

export interface DatasetFacetsModel {
  result: SearchResultModel;
}

export interface PublisherModel {
  uri: string;
}

export interface KeywordModel {
  value: string;
  lang: string | null;
}

export interface ConceptModel {
  uri: string;
  code: string;
  sv: string | null;
  en: string | null;
}

/** Per-request context: loaders live and die with the request. */
export interface CatalogContext {
  trace: RequestTrace;
  /** The registry root (DATAPORTAL_API_URL). */
  baseUrl: string;
  loaders: {
    /** By the search's parameters (object keys, compared by value). */
    search: DataLoader<SearchParams, SearchResultModel>;
    /** By id `{contextId}_{entryId}`: entry + recursive metadata. */
    dataset: DataLoader<string, DatasetDetail | null>;
    /** Entries by resource URI (publishers' agents, contact points, distributions): 20 URIs share one `resource:(…)` look-up. */
    resource: DataLoader<string, ResourceModel | null>;
    /** The newest catalogue statistics (one key). */
    statistics: DataLoader<'latest', CatalogStatisticsModel | null>;
  };
}
