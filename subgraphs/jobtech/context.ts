import type DataLoader from 'dataloader';
import type { RequestTrace } from '../../kit/upstream.ts';
import type { JobAdModel, SearchParams, SearchResult, Suggestion } from './client.ts';

export type { CountyRef, MunicipalityRef, PlaceRef } from '../../kit/entities.ts';

/** One `jobAdCount` key: a municipality and the free text it is counted for. */
export interface CountKey {
  code: string;
  query: string | null;
}

/** Per-request context: loaders live and die with the request. */
export interface JobTechContext {
  trace: RequestTrace;
  loaders: {
    /** One ad by id; identical ids in one request share one call. */
    ad: DataLoader<string, JobAdModel | null>;
    /** Identical searches in one request share one call. */
    search: DataLoader<SearchParams, SearchResult, string>;
    /** Ad counts per municipality, batched by query through the `stats=municipality` facet. */
    count: DataLoader<CountKey, number, string>;
    /** Ads per county (and query), batched into one `stats=region` search per query. */
    countyCount: DataLoader<CountKey, number, string>;
    /** Typeahead, keyed by "limit\u0000prefix". */
    suggest: DataLoader<string, Suggestion[]>;
  };
}

/** A page of JobSearch results: the answer and the paging asked for (`JobAdSearch`). */
export type SearchPageModel = SearchResult & { limit: number; offset: number };
