/**
 * How a subgraph declares what its fields cost, for the gateway's cost analysis before execution
 * (`gateway/src/cost.ts`). A field without an entry costs only the values it adds to the answer.
 */

/** What one field costs; declared by the subgraph that resolves it (`SubgraphModule.cost`, keyed by `Type.field`). */
export interface FieldCost {
  /** The agency whose upstream this field calls (its call budget is spent). */
  agency?: string;
  /**
   * `item`: one call per parent object it is resolved on (no batch API upstream); `batch`: one call
   * per selection, however many parents (DataLoader batching into one upstream request). Default `item`
   * when `agency` is set.
   */
  calls?: 'item' | 'batch';
  /** Only arguments for which this returns true cause a call (e.g. `boundary(detail: FULL)`). */
  callsIf?: (args: Record<string, unknown>) => boolean;
  /**
   * Fields that share one upstream call per parent (a place's `forecast` and `forecastRun` come from
   * the same SMHI answer) name the same key: on one parent their calls are counted once.
   */
  sharedCall?: string;
  /** Calls per item (or per batch); default 1. A function of the field's arguments when they decide it. */
  callsPer?: number | ((args: Record<string, unknown>) => number);
  /** List size when no slicing argument gives it; a function of the field's arguments. */
  assumedSize?: number | ((args: Record<string, unknown>) => number);
  /** Arguments that bound the list (first one given wins), default `limit`, `first`, `pageSize`. */
  slicingArguments?: readonly string[];
  /**
   * Child list fields sized by this field's slicing argument (a page's `ads` or `nodes`), or without
   * one by its `assumedSize` (a FeatureCollection's `features`: 290 municipalities, or one county's).
   */
  sizedFields?: readonly string[];
}

export type FieldCosts = Readonly<Record<string, FieldCost>>;
