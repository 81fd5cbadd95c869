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
        // This API answers 404 when it has nothing for a municipality: "no such thing", so null. Keep
        // this only where a 404 means that; elsewhere the kit reports a 404 as UPSTREAM_BAD_RESPONSE
        // (a moved API or a wrong base URL), never as a null that reads as "no data".
        notFoundIsNull: true,
        trace,
      });
      return result ?? null;
    },
  };
}
