import { request } from 'undici';
import { readEnv } from '../../kit/config.ts';
import { OfflineDispatcher, type SimRequest } from '../../kit/simulator.ts';
import { lantmaterietEnv } from '../../subgraphs/lantmateriet/index.ts';
import {
  createLantmaterietSimulator,
  type LantmaterietSimulator,
  OFFLINE_CONSUMER_KEY,
  OFFLINE_CONSUMER_SECRET,
} from '../../subgraphs/lantmateriet/simulator/index.ts';
import { API, TOKEN_ORIGIN } from './harness.ts';

/** The clock of the simulator tests (a fixed instant: answers must not depend on the wall clock). */
export const NOW = Date.parse('2026-04-02T10:00:00Z');
export const TOKEN_URL = `${TOKEN_ORIGIN}/oauth2/token`;

export function simulator(
  env: Record<string, string> = {},
  now: () => number = () => NOW,
): LantmaterietSimulator {
  return createLantmaterietSimulator({ config: readEnv(lantmaterietEnv, env) as never, now });
}

/** Every request the simulator answered: mount base, method, path, query and body. */
export interface SimCall {
  base: string;
  method: string;
  path: string;
  query: URLSearchParams;
  body: string | undefined;
  /** The Authorization scheme sent ("Basic", "Bearer"), never the credentials. */
  scheme: string | undefined;
}

/** Wraps each mount's handler to record the requests it answers (the simulator itself is unchanged). */
export function recording(sim: LantmaterietSimulator): { sim: LantmaterietSimulator; calls: SimCall[] } {
  const calls: SimCall[] = [];
  return {
    calls,
    sim: {
      ...sim,
      mounts: sim.mounts.map((m) => ({
        baseUrl: m.baseUrl,
        handle: (req: SimRequest) => {
          calls.push({
            base: m.baseUrl,
            method: req.method,
            path: req.path,
            query: req.query,
            body: req.body,
            scheme: req.headers['authorization']?.split(' ')[0],
          });
          return m.handle(req);
        },
      })),
    },
  };
}

export function dispatcherFor(sim: LantmaterietSimulator, now: () => number = () => NOW): OfflineDispatcher {
  return new OfflineDispatcher({ simulators: [sim], now });
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

/** One HTTP exchange with the simulator through the dispatcher. */
export async function send(
  dispatcher: OfflineDispatcher,
  url: string,
  options: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const res = await request(url, {
    dispatcher,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await res.body.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, headers: res.headers as Record<string, string>, text, json: parsed };
}

export const offlineClientBasic = `Basic ${Buffer.from(`${OFFLINE_CONSUMER_KEY}:${OFFLINE_CONSUMER_SECRET}`).toString('base64')}`;

/** A Bearer header from the simulated token endpoint, with the offline client credentials. */
export async function bearer(dispatcher: OfflineDispatcher): Promise<Record<string, string>> {
  const res = await send(dispatcher, TOKEN_URL, {
    method: 'POST',
    headers: { authorization: offlineClientBasic, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}`);
  return { authorization: `Bearer ${(res.json as { access_token: string }).access_token}` };
}

export const URLS = {
  ortnamn: `${API}/distribution/produkter/ortnamn/v2.2`,
  address: `${API}/distribution/produkter/belagenhetsadress/v4.2`,
  markhojd: `${API}/distribution/produkter/markhojd/v1`,
  admin: `${API}/ogc-features/v1/administrativ-indelning`,
} as const;

/** A Markhöjd MultiPoint body ([E, N] in EPSG:3006, or another SRID). */
export function multiPoint(coordinates: number[][], srid = 3006): string {
  return JSON.stringify({
    type: 'MultiPoint',
    crs: { type: 'name', properties: { name: `urn:ogc:def:crs:EPSG::${srid}` } },
    coordinates,
  });
}
