/** A Place as other subgraphs reference it: just its key. */
export interface PlaceRef {
  latitude: number;
  longitude: number;
}

/** Per-request context of the Lantmäteriet subgraph (the embedded part needs no loaders). */
export type LantmaterietContext = Record<string, never>;
