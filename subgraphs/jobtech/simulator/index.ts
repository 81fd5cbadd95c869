import {
  type AgencySimulator,
  json,
  type SimRequest,
  type SimResponse,
  type SimulatorDeps,
} from '../../../kit/simulator.ts';
import { buildCorpus, Clock, type Corpus, GENERATED_ADS, renderAd } from './corpus.ts';
import { complete, search } from './search.ts';

/**
 * Offline JobSearch (`JOBTECH_SEARCH_URL`): `/search`, `/ad/{id}` and `/complete` over an embedded
 * corpus of 3 000 synthetic ads in all 290 municipalities plus the real recorded ad 28746073, in
 * JobSearch's own shapes, parameters, caps and errors. See the README's "Offline simulator".
 */

/** Werkzeug's default descriptions: what JobSearch (Flask + flask-restx) puts in `message` for a bare status. */
const HTTP_MESSAGES: Record<number, string> = {
  400: 'The browser (or proxy) sent a request that this server could not understand.',
  401: "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.",
  403: "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.",
  404: 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
  405: 'The method is not allowed for the requested URL.',
  429: 'This user has exceeded an allotted request count. Try again later.',
  500: 'The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.',
  502: 'The proxy server received an invalid response from an upstream server.',
  503: 'The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.',
  504: 'The connection to an upstream server timed out.',
};

/** `{"message": "…"}`: flask-restx's error body. */
export function errorResponse(status: number, message = HTTP_MESSAGES[status] ?? 'Error'): SimResponse {
  return json(status, { message }, status === 429 || status === 503 ? { 'retry-after': '1' } : {});
}

/** `GET /ad/{id}`: by Platsbanken id, then by external id; 404 "Ad not found" (no date filter, as JobSearch). */
function ad(req: SimRequest, corpus: Corpus, id: string): SimResponse {
  const found = corpus.byId.get(id) ?? corpus.byExternalId.get(id);
  if (!found) return errorResponse(404, 'Ad not found');
  return json(200, renderAd(found, new Clock(req.now)));
}

export interface JobTechSimulatorConfig {
  JOBTECH_SEARCH_URL: string;
}

export function createJobTechSimulator(deps: SimulatorDeps<JobTechSimulatorConfig>): AgencySimulator {
  // Built on first use or when the gateway is ready (warm), not while it starts: ~75 ms of start-up.
  let built: Corpus | undefined;
  const corpus = () => (built ??= buildCorpus());
  return {
    agency: 'jobtech',
    synthetic: true,
    note: `JobSearch simulator: ${GENERATED_ADS} synthetic ads (seeded, dated relative to the clock) in all 290 municipalities with real taxonomy concepts and places, plus the real recorded ad 28746073; contact persons never served.`,
    mounts: [
      {
        baseUrl: deps.config.JOBTECH_SEARCH_URL,
        handle(req) {
          // `api-key` is optional (JobSearch answers without one today); any value is accepted.
          if (req.method !== 'GET' && req.method !== 'HEAD') return errorResponse(405);
          const path = req.path.replace(/\/+$/, '') || '/';
          if (path === '/search') return search(req, corpus());
          if (path === '/complete') return complete(req, corpus());
          const m = /^\/ad\/([^/]+)$/.exec(path);
          if (m) return ad(req, corpus(), decodeURIComponent(m[1]!));
          return errorResponse(404);
        },
      },
    ],
    faultResponse: (status) => errorResponse(status),
    warm: () => void corpus(),
  };
}
