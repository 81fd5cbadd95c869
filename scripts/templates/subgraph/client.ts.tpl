import type { RequestTrace, Upstream } from '../../kit/upstream.ts';
import { expectObject, optionalString } from '../../kit/validate.ts';

/**
 * PLACEHOLDER made by `npm run new-subgraph`: the path and the response shape below are examples,
 * not {{agency}}'s real API. Replace them with what your API documents; keep the narrow interface.
 */
export function parseSummary(json: unknown): string | null {
  return optionalString(expectObject(json, 'summary')['summary']);
}

/** The {{agency}} client surface the resolvers use (a fake or replay client satisfies it too). */
export interface {{Pascal}}Client {
  /** The summary for one municipality; null when the API has none (404). */
  summary(code: string, trace?: RequestTrace): Promise<string | null>;
}

export function create{{Pascal}}Client(upstream: Upstream): {{Pascal}}Client {
  return {
    async summary(code, trace) {
      const result = await upstream.get({
        path: `/municipalities/${encodeURIComponent(code)}`,
        parse: parseSummary,
        ttlMs: 60 * 60_000,
        trace,
      });
      return result ?? null;
    },
  };
}
