import type DataLoader from 'dataloader';
import type { RequestTrace } from '../../kit/upstream.ts';
import type { LantmaterietClient } from './client.ts';

export type { PlaceRef } from '../../kit/entities.ts';

/** Per-request loaders: they live and die with one GraphQL request. */
export interface LantmaterietLoaders {
  /** Ground height keyed by SWEREF 99 TM "E,N" in whole metres; one Markhöjd call per ≤ 1 000 points. */
  elevation: DataLoader<string, number | null>;
}

/** Per-request context of the Lantmäteriet subgraph (the embedded part needs none of it). */
export interface LantmaterietContext {
  trace: RequestTrace;
  client: LantmaterietClient;
  loaders: LantmaterietLoaders;
}
