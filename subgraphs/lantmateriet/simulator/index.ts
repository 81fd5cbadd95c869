import type { AgencySimulator, SimRequest, SimResponse, SimulatorDeps } from '../../../kit/simulator.ts';
import { json } from '../../../kit/simulator.ts';
import { type AddressRegister, createAddressRegister } from './addresses.ts';
import { createTokenIssuer, gatewayFault, simCredentials, type TokenIssuer } from './auth.ts';
import { direktFault, handleAddress, handleMarkhojd, handleOrtnamn } from './direkt.ts';
import { createSimGeography, type SimGeography } from './geography.ts';
import { createPlaceNameRegister, type PlaceNameRegister } from './names.ts';
import { createOgcHandler, ogcException } from './ogc.ts';
import { createTerrain, type Terrain } from './terrain.ts';

export { OFFLINE_CONSUMER_KEY, OFFLINE_CONSUMER_SECRET } from './auth.ts';

/** The part of the subgraph's configuration the simulator reads. */
export interface LantmaterietSimConfig {
  LM_API_URL: string;
  LM_TOKEN_URL: string;
  LM_CONSUMER_KEY?: string | undefined;
  LM_CONSUMER_SECRET?: string | undefined;
  LM_USERNAME?: string | undefined;
  LM_PASSWORD?: string | undefined;
}

export const SIMULATOR_NOTE =
  'Boundaries: the real embedded municipality outlines (okfse/sweden-geojson, simplified; counties and Sweden dissolved from them) with computed areas. Place names: the 290 municipality and 21 county names (SCB) at representative points and "Abisko" from the fixtures, plus SYNTHETIC generated names. Addresses: entirely SYNTHETIC (real ones are personal data). Elevation: SYNTHETIC terrain model. Credentials: fake offline ones.';

/** The simulator's data, built lazily and once per simulator instance. */
export interface LantmaterietSimData {
  geo: SimGeography;
  terrain: Terrain;
  names: PlaceNameRegister;
  addresses: AddressRegister;
  tokens: TokenIssuer;
}

export interface LantmaterietSimulator extends AgencySimulator {
  /** The data behind the answers (tests compare with it). */
  readonly data: LantmaterietSimData;
}

/** HTTP faults of the API gateway (injected with OFFLINE_FAULTS), in WSO2's shape. */
function gatewayStatusFault(status: number): SimResponse {
  if (status === 429) {
    return gatewayFault(429, 900800, 'Message throttled out', 'You have exceeded your quota', {
      'retry-after': '1',
    });
  }
  if (status === 401 || status === 403) {
    return gatewayFault(
      status,
      900901,
      'Invalid Credentials',
      'Make sure you have provided the correct security credentials',
    );
  }
  if (status >= 500) {
    return gatewayFault(status, 101503, 'Runtime Error', 'Error connecting to the back end', {
      ...(status === 503 ? { 'retry-after': '1' } : {}),
    });
  }
  return direktFault(status, `Injected fault HTTP ${status}`);
}

/**
 * Offline simulator of the Lantmäteriet APIs the subgraph calls: Ortnamn Direkt v2.2, Belägenhetsadress
 * Direkt v4.2, Markhöjd Direkt v1, Kommun, län och rike Direkt (OGC API Features), and the API-manager
 * OAuth2 token endpoint. Every API except the OGC collection lists needs a Bearer token from the
 * simulated token endpoint or the configured Basic user (Belägenhetsadress: OAuth2 only).
 */
export function createLantmaterietSimulator(
  deps: SimulatorDeps<LantmaterietSimConfig>,
): LantmaterietSimulator {
  const api = deps.config.LM_API_URL;
  const bases = {
    ortnamn: `${api}/distribution/produkter/ortnamn/v2.2`,
    address: `${api}/distribution/produkter/belagenhetsadress/v4.2`,
    markhojd: `${api}/distribution/produkter/markhojd/v1`,
    admin: `${api}/ogc-features/v1/administrativ-indelning`,
    token: deps.config.LM_TOKEN_URL,
  };
  const geo = createSimGeography();
  const terrain = createTerrain(() => geo.rike().polygons);
  const names = createPlaceNameRegister(geo, terrain);
  const addresses = createAddressRegister(geo, names);
  const tokens = createTokenIssuer(simCredentials(deps.config));
  const ogc = createOgcHandler(bases.admin, geo);

  /** Direkt APIs: resource, then credentials (the API gateway matches the resource first). */
  const direkt =
    (product: string, basic: boolean, methods: readonly string[], handle: (req: SimRequest) => SimResponse) =>
    (req: SimRequest): SimResponse => {
      if (!methods.includes(req.method)) {
        return direktFault(405, `${req.method} is not supported`, { allow: methods.join(', ') });
      }
      return tokens.refuse(req, { basic, api: product }) ?? handle(req);
    };

  return {
    agency: 'lantmateriet',
    synthetic: true,
    note: SIMULATOR_NOTE,
    data: { geo, terrain, names, addresses, tokens },
    mounts: [
      {
        baseUrl: bases.token,
        handle: (req) => tokens.handle(req),
      },
      {
        baseUrl: bases.ortnamn,
        handle: direkt('Ortnamn Direkt v2.2', true, ['GET'], (req) => handleOrtnamn(req, names)),
      },
      {
        baseUrl: bases.address,
        // Addresses take OAuth2 only (reference §0).
        handle: direkt('Belägenhetsadress Direkt v4.2', false, ['GET', 'POST'], (req) =>
          handleAddress(req, addresses),
        ),
      },
      {
        baseUrl: bases.markhojd,
        handle: direkt('Markhöjd Direkt v1', true, ['GET', 'POST'], (req) => handleMarkhojd(req, terrain)),
      },
      {
        baseUrl: bases.admin,
        handle: (req) => {
          if (ogc.needsAuth(req)) {
            const refused = tokens.refuse(req, { basic: true, api: 'Kommun, län och rike Direkt' });
            if (refused) return refused;
          }
          return ogc.handle(req);
        },
      },
    ],
    faultResponse(status, req) {
      const href = req.url.href;
      if (href.startsWith(bases.token)) {
        return json(
          status,
          {
            error: status === 429 ? 'temporarily_unavailable' : 'server_error',
            error_description: `HTTP ${status}`,
          },
          status === 429 || status === 503 ? { 'retry-after': '1' } : {},
        );
      }
      if (href.startsWith(bases.admin) && status !== 429 && status < 500) {
        return ogcException(status, 'InjectedFault', `Injected fault HTTP ${status}`);
      }
      return gatewayStatusFault(status);
    },
  };
}
