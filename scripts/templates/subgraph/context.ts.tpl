import type DataLoader from 'dataloader';
import type { RequestTrace } from '../../kit/upstream.ts';

/** A Municipality as the gateway hands it over: just its key. */
export interface MunicipalityRef {
  code: string;
}

/** Per-request context: loaders live and die with the request. */
export interface {{Pascal}}Context {
  trace: RequestTrace;
  loaders: {
    /** Keyed by municipality code: one upstream call per code and request. */
    summary: DataLoader<string, string | null>;
  };
}
