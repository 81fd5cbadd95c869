/**
 * SMHI offline simulator: the three APIs the SMHI subgraph calls, mounted at its configured base
 * URLs — snow1g v1 point forecasts (./forecast.ts), metobs 1.0 observations (./metobs.ts) and
 * impact-based warnings (./warnings.ts). See the subgraph README, "Offline simulator".
 */
import {
  type AgencySimulator,
  json,
  type SimRequest,
  type SimResponse,
  type SimulatorDeps,
} from '../../../kit/simulator.ts';
import { handleForecast } from './forecast.ts';
import { createMetobs } from './metobs.ts';
import { createWarnings } from './warnings.ts';

export interface SmhiSimulatorConfig {
  SMHI_FORECAST_URL: string;
  SMHI_METOBS_URL: string;
  SMHI_WARNINGS_URL: string;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function createSmhiSimulator(deps: SimulatorDeps<SmhiSimulatorConfig>): AgencySimulator {
  const { SMHI_FORECAST_URL, SMHI_METOBS_URL, SMHI_WARNINGS_URL } = deps.config;
  const metobs = createMetobs(SMHI_METOBS_URL);
  const warnings = createWarnings();
  const metobsUrl = new URL(SMHI_METOBS_URL);
  // SMHI's layout (…/api/version/1.0): the versions and parameters documents sit on the same origin
  // outside the base URL. Mounted only for that layout, so a custom base never captures a whole origin.
  const originMount = /\/version\/[^/]+\/?$/.test(metobsUrl.pathname)
    ? [{ baseUrl: metobsUrl.origin, handle: (req: SimRequest) => metobs.handleOrigin(req) }]
    : [];
  return {
    agency: 'smhi',
    synthetic: true,
    note:
      'SMHI simulator: forecasts, observations, most stations and most warnings are synthetic (a seeded weather model over ' +
      "the embedded geography) in SMHI's recorded response shapes; real: station Akalla, the Stockholm stations' ids and " +
      'names, and one recorded warning (Skåne, published 2026-08-11) in its window.',
    mounts: [
      { baseUrl: SMHI_FORECAST_URL, handle: handleForecast },
      { baseUrl: SMHI_METOBS_URL, handle: (req) => metobs.handle(req) },
      // The rest of the metobs origin: `/api.json`, `/api/version/1.0.json`, `/api/version/latest/…`.
      // Longer mounts win, so this never shadows the other SMHI APIs.
      ...originMount,
      {
        baseUrl: SMHI_WARNINGS_URL,
        handle(req: SimRequest): SimResponse {
          if (req.path !== '/warning.json' || (req.method !== 'GET' && req.method !== 'HEAD')) {
            return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' };
          }
          return json(200, warnings.current(req.now), { 'access-control-allow-origin': '*' });
        },
      },
    ],
    /**
     * SMHI documents no error body (smhi.md §9); the one recorded error (pmp3g's 400) came as
     * text/plain with `Cache-Control: max-age=0,public`. Injected faults answer the same way.
     */
    faultResponse(status) {
      return {
        status,
        headers: {
          'content-type': 'text/plain',
          'cache-control': 'max-age=0,public',
          'access-control-allow-origin': '*',
          ...(status === 429 || status === 503 ? { 'retry-after': '1' } : {}),
        },
        body: REASONS[status] ?? `HTTP ${status}`,
      };
    },
  };
}
