/** Shared by the SGU simulator tests: a simulator on a fixed clock and a way to ask it directly. */
import type { AgencySimulator, SimRequest, SimResponse } from '../../kit/simulator.ts';
import { createSguSimulator } from '../../subgraphs/sgu/simulator/index.ts';

export const BASE = 'https://api.sgu.se/oppnadata';
/** The clock of the direct tests (the gateway tests run on the real clock). */
export const NOW = Date.parse('2026-11-26T12:00:00Z');
export const DAY = 86_400_000;

export const newSimulator = (now = NOW): AgencySimulator =>
  createSguSimulator({ config: { SGU_API_URL: BASE }, now: () => now });

export type Json = Record<string, unknown>;
export interface Feature {
  type: string;
  id: string;
  geometry: { type: string; coordinates: unknown } | null;
  geometry_name?: string;
  properties: Record<string, string | number | null>;
}
export interface Collection {
  type: string;
  features: Feature[];
  totalFeatures: number | string;
  numberMatched: number | string;
  numberReturned: number;
  timeStamp: string;
  crs: { type: string; properties: { name: string } };
  links: Array<{ href: string; rel: string; type: string; title: string }>;
}

/** Sends one GET (an absolute URL, or a path below BASE) straight to the simulator's mount. */
export function ask(sim: AgencySimulator, urlOrPath: string, now = NOW): SimResponse & { json: Json } {
  const url = new URL(urlOrPath.startsWith('http') ? urlOrPath : `${BASE}${urlOrPath}`);
  const mount = sim.mounts[0]!;
  const basePath = new URL(mount.baseUrl).pathname.replace(/\/+$/, '');
  const req: SimRequest = {
    method: 'GET',
    url,
    path: url.pathname.slice(basePath.length) || '/',
    query: url.searchParams,
    headers: {},
    body: undefined,
    json: () => undefined,
    now,
  };
  const res = mount.handle(req) as SimResponse;
  const json =
    typeof res.body === 'string' ? ({} as Json) : (JSON.parse(JSON.stringify(res.body ?? {})) as Json);
  return { ...res, json };
}

/** The items URL of a dataset's collection with query parameters (in the client's order). */
export function itemsUrl(
  dataset: string,
  collection: string,
  params: Record<string, string | number>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  return `${BASE}/${dataset}/ogc/features/v1/collections/${collection}/items?${q.toString()}`;
}

export const GW = 'grundvattennivaer-observerade';
