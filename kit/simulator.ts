/**
 * Offline mode: agency simulators as an undici dispatcher.
 *
 * A simulator implements one agency API's HTTP surface (paths, query parameters, POST bodies,
 * status codes, headers, response shapes) over an embedded dataset. It plugs in *below* the agency
 * clients as the dispatcher of their upstreams, so every offline query still runs the real client
 * code: URL building, batching, parsing, caching and rate limits.
 *
 * Why a small Dispatcher of our own rather than undici's MockAgent: MockAgent matches a fixed list
 * of interceptors and cannot hold a response until the caller aborts (what `OFFLINE_FAULTS=…=timeout`
 * needs), nor route by path prefix to several APIs on one origin. It drives undici's handler
 * protocol (`onRequestStart`/`onResponseStart`/`onResponseData`/`onResponseEnd`/`onResponseError`,
 * the only one undici 8's own request handlers implement), and the older `onConnect`/`onHeaders`/…
 * for a handler that has only those.
 */
import { gzipSync } from 'node:zlib';
import { Dispatcher } from 'undici';

/** One request as a simulator sees it. */
export interface SimRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** The absolute request URL. */
  url: URL;
  /** The path below the mount's base URL, always starting with `/` (e.g. `/tables/TAB638/data`). */
  path: string;
  /** The query string, decoded. */
  query: URLSearchParams;
  /** Request headers with lower-case names. */
  headers: Record<string, string>;
  /** The raw request body, if any. */
  body: string | undefined;
  /** The body parsed as JSON; `undefined` without a body. Throws a `SimulatorBadJson` when it is not JSON. */
  json(): unknown;
  /** The simulator clock (ms since the epoch): the gateway's `now`. */
  now: number;
}

/** What a simulator answers. */
export interface SimResponse {
  status: number;
  /** Response headers; `content-type` defaults to `application/json; charset=utf-8` for object bodies. */
  headers?: Record<string, string>;
  /** An object or array is sent as JSON; a string or Buffer as is; `undefined` sends no body. */
  body?: unknown;
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

/** One API served by a simulator: every request whose URL starts with `baseUrl` goes to `handle`. */
export interface SimulatorMount {
  /** Origin plus path prefix, e.g. the configured `SMHI_FORECAST_URL`. */
  baseUrl: string;
  handle: SimHandler;
}

/** What a subgraph's simulator provides to offline mode. */
export interface AgencySimulator {
  /** The subgraph's name (`smhi`, `scb`, …); also the `agency` its upstreams report. */
  agency: string;
  /** Whether any values this simulator serves are synthetic (made up by a deterministic generator). */
  synthetic: boolean;
  /** One line: where the offline values come from and which are synthetic. Shown in `extensions.offline`. */
  note: string;
  mounts: SimulatorMount[];
  /**
   * The answer to an injected HTTP fault (`OFFLINE_FAULTS=scb=500`) in the agency's own error shape.
   * Default: a small JSON body `{ "error": "…" }` with that status (and `Retry-After: 1` for 429).
   */
  faultResponse?(status: number, req: SimRequest): SimResponse;
  /**
   * Preparation that can wait until the gateway is ready (building a synthetic corpus). Called once,
   * soon after the gateway listens; a simulator must also prepare on first use, should a request come
   * before that.
   */
  warm?(): void;
}

/** What a subgraph's simulator factory receives. */
export interface SimulatorDeps<C = Record<string, unknown>> {
  /** The subgraph's parsed environment (base URLs: the simulator mounts where the client calls). */
  config: C;
  /** The clock: time-anchored data (forecasts, ad dates) is generated relative to it. */
  now: () => number;
}

/** How an injected fault behaves. */
export type FaultKind =
  | { kind: 'status'; status: number }
  /** Never answers; the request waits until the caller's timeout aborts it. */
  | { kind: 'timeout' }
  /** The connection is refused (ECONNREFUSED). */
  | { kind: 'refused' }
  /** 200 with a JSON body cut off half-way. */
  | { kind: 'malformed' }
  /** 200 with an HTML maintenance page instead of JSON. */
  | { kind: 'html' };

export type OfflineFaults = Readonly<Record<string, FaultKind>>;

export const FAULT_KINDS_TEXT =
  'an HTTP status 400–599, "timeout", "refused", "malformed" (truncated JSON) or "html" (a maintenance page)';

/** `scb=500,jobtech=timeout,smhi=429` → faults by agency; `undefined` when malformed. */
export function parseOfflineFaults(raw: string): OfflineFaults | undefined {
  const out: Record<string, FaultKind> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z][a-z0-9-]*)=([a-z0-9]+)$/.exec(part);
    if (!m) return undefined;
    const [, agency, what] = m as unknown as [string, string, string];
    if (/^\d{3}$/.test(what)) {
      const status = Number(what);
      if (status < 400 || status > 599) return undefined;
      out[agency] = { kind: 'status', status };
    } else if (what === 'timeout' || what === 'refused' || what === 'malformed' || what === 'html') {
      out[agency] = { kind: what };
    } else return undefined;
  }
  return out;
}

/** A request body that is not JSON: simulators answer it with their API's 400. */
export class SimulatorBadJson extends Error {
  override readonly name = 'SimulatorBadJson';
}

export interface OfflineDispatcherOptions {
  simulators: readonly AgencySimulator[];
  /** Injected faults by agency (`OFFLINE_FAULTS`). */
  faults?: OfflineFaults | undefined;
  now?: () => number;
}

interface Route {
  agency: string;
  base: URL;
  mount: SimulatorMount;
  simulator: AgencySimulator;
}

type LegacyHandler = {
  onConnect?: (abort: (err?: Error) => void, context?: unknown) => void;
  onHeaders?: (
    statusCode: number,
    headers: Buffer[] | string[],
    resume: () => void,
    statusText: string,
  ) => boolean | undefined;
  onData?: (chunk: Buffer) => boolean | undefined;
  onComplete?: (trailers: Buffer[] | string[] | null) => void;
  onError?: (err: Error) => void;
};

/** What the dispatcher tells the caller's handler, whichever protocol the handler speaks. */
interface Sink {
  /** Starts the exchange; `abort` is what the caller calls to give up (its timeout, its signal). */
  start(abort: (err: Error) => void): void;
  response(status: number, headers: Record<string, string>, body: Buffer): void;
  error(err: Error): void;
}

function sinkFor(raw: Dispatcher.DispatchHandler): Sink {
  if (typeof raw.onResponseStart === 'function' || typeof raw.onRequestStart === 'function') {
    let aborted: Error | null = null;
    let onAbort: (err: Error) => void = () => undefined;
    const controller: Dispatcher.DispatchController = {
      get aborted() {
        return aborted !== null;
      },
      get paused() {
        return false;
      },
      get reason() {
        return aborted;
      },
      abort(reason) {
        if (aborted) return;
        aborted = reason;
        onAbort(reason);
      },
      pause: () => undefined,
      resume: () => undefined,
    };
    return {
      start(abort) {
        onAbort = abort;
        raw.onRequestStart?.(controller, null);
      },
      response(status, headers, body) {
        if (aborted) return;
        raw.onResponseStart?.(controller, status, headers, '');
        if (body.length > 0 && !aborted) raw.onResponseData?.(controller, body);
        if (!aborted) raw.onResponseEnd?.(controller, {});
      },
      error(err) {
        raw.onResponseError?.(controller, err);
      },
    };
  }
  const legacy = raw as unknown as LegacyHandler;
  return {
    start(abort) {
      legacy.onConnect?.((err) => abort(err ?? new Error('aborted')), null);
    },
    response(status, headers, body) {
      const flat: string[] = [];
      for (const [k, v] of Object.entries(headers)) flat.push(k, v);
      legacy.onHeaders?.(status, flat, () => {}, '');
      if (body.length > 0) legacy.onData?.(body);
      legacy.onComplete?.([]);
    },
    error(err) {
      legacy.onError?.(err);
    },
  };
}

/**
 * One dispatcher for every simulated API. A request whose URL no simulator serves is refused like
 * an unreachable host (offline mode never touches the network).
 */
export class OfflineDispatcher extends Dispatcher {
  readonly #routes: Route[];
  readonly #faults: OfflineFaults;
  readonly #now: () => number;
  readonly #pending = new Set<() => void>();
  /** Requests answered so far, by agency (tests and the demo's figures read it). */
  readonly calls = new Map<string, number>();

  constructor(options: OfflineDispatcherOptions) {
    super();
    this.#faults = options.faults ?? {};
    this.#now = options.now ?? Date.now;
    this.#routes = options.simulators
      .flatMap((simulator) =>
        simulator.mounts.map((mount) => ({
          agency: simulator.agency,
          base: new URL(mount.baseUrl.replace(/\/+$/, '')),
          mount,
          simulator,
        })),
      )
      // Longest prefix first: SMHI's three APIs and Lantmäteriet's four share origins.
      .sort((a, b) => b.base.href.length - a.base.href.length);
  }

  /** The simulator that serves this absolute URL, if any. */
  routeFor(url: URL): Route | undefined {
    return this.#routes.find(
      (r) =>
        r.base.origin === url.origin &&
        (url.pathname === r.base.pathname ||
          url.pathname.startsWith(r.base.pathname.endsWith('/') ? r.base.pathname : `${r.base.pathname}/`)),
    );
  }

  override dispatch(opts: Dispatcher.DispatchOptions, rawHandler: Dispatcher.DispatchHandler): boolean {
    const sink = sinkFor(rawHandler);
    let done = false;
    const finish = () => {
      done = true;
    };
    const fail = (err: Error) => {
      if (done) return;
      finish();
      sink.error(err);
    };
    sink.start(fail);
    const url = new URL(String(opts.path ?? '/'), String(opts.origin ?? 'http://localhost'));
    const route = this.routeFor(url);
    if (!route) {
      queueMicrotask(() =>
        fail(
          Object.assign(new Error(`connect ECONNREFUSED: offline mode has no simulator for ${url.origin}`), {
            code: 'ECONNREFUSED',
          }),
        ),
      );
      return true;
    }
    this.calls.set(route.agency, (this.calls.get(route.agency) ?? 0) + 1);
    const send = (res: SimResponse) => {
      if (done) return;
      finish();
      const { headers, body } = encode(res, requestHeaders(opts.headers)['accept-encoding']);
      sink.response(res.status, headers, body);
    };
    readBody(opts.body)
      .then(async (body) => {
        const req = buildRequest(opts, url, route, body, this.#now());
        const fault = this.#faults[route.agency];
        if (fault) {
          switch (fault.kind) {
            case 'timeout': {
              // Held until the caller gives up (its headers timeout aborts through onConnect's abort).
              const release = () => this.#pending.delete(release);
              this.#pending.add(release);
              return;
            }
            case 'refused':
              fail(
                Object.assign(new Error('connect ECONNREFUSED (OFFLINE_FAULTS)'), { code: 'ECONNREFUSED' }),
              );
              return;
            case 'malformed': {
              const good = await route.mount.handle(req);
              const text = typeof good.body === 'string' ? good.body : JSON.stringify(good.body ?? {});
              send({
                status: 200,
                headers: { 'content-type': 'application/json; charset=utf-8' },
                body: text.slice(0, Math.max(1, Math.floor(text.length / 2))),
              });
              return;
            }
            case 'html':
              send({
                status: 200,
                headers: { 'content-type': 'text/html; charset=utf-8' },
                body: '<!DOCTYPE html><html><head><title>Service maintenance</title></head><body><h1>Planned maintenance</h1><p>The service is temporarily unavailable.</p></body></html>',
              });
              return;
            case 'status':
              send(
                route.simulator.faultResponse?.(fault.status, req) ??
                  defaultFault(fault.status, route.agency),
              );
              return;
          }
        }
        send(await route.mount.handle(req));
      })
      .catch((err: unknown) => {
        // A bug in a simulator is a 500 from "the agency", never a crash of the gateway.
        send({
          status: 500,
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: { error: `simulator failed: ${(err as Error)?.message ?? String(err)}` },
        });
      });
    return true;
  }

  override async close(): Promise<void> {
    this.#pending.clear();
  }

  override async destroy(): Promise<void> {
    this.#pending.clear();
  }
}

function defaultFault(status: number, agency: string): SimResponse {
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(status === 429 || status === 503 ? { 'retry-after': '1' } : {}),
    },
    body: { error: `${agency} simulator: injected fault HTTP ${status} (OFFLINE_FAULTS)` },
  };
}

function requestHeaders(headers: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2)
      out[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
    return out;
  }
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

async function readBody(body: Dispatcher.DispatchOptions['body']): Promise<string | undefined> {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
  return String(body);
}

function buildRequest(
  opts: Dispatcher.DispatchOptions,
  url: URL,
  route: Route,
  body: string | undefined,
  now: number,
): SimRequest {
  const basePath = route.base.pathname.replace(/\/+$/, '');
  const rest = url.pathname.slice(basePath.length);
  return {
    method: String(opts.method ?? 'GET').toUpperCase(),
    url,
    path: rest.startsWith('/') ? rest : `/${rest}`,
    query: url.searchParams,
    headers: requestHeaders(opts.headers),
    body,
    now,
    json() {
      if (body === undefined || body === '') return undefined;
      try {
        return JSON.parse(body);
      } catch (err) {
        throw new SimulatorBadJson(`request body is not JSON: ${(err as Error).message}`);
      }
    },
  };
}

function encode(
  res: SimResponse,
  acceptEncoding: string | undefined,
): { headers: Record<string, string>; body: Buffer } {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers ?? {})) headers[k.toLowerCase()] = v;
  let body: Buffer;
  if (res.body === undefined) body = Buffer.alloc(0);
  else if (Buffer.isBuffer(res.body)) body = res.body;
  else if (typeof res.body === 'string') body = Buffer.from(res.body, 'utf8');
  else {
    body = Buffer.from(JSON.stringify(res.body), 'utf8');
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  // Large answers go gzip-compressed when asked, as the real APIs' servers do: the client's
  // decompression path runs offline too.
  if (body.length > 64 * 1024 && /\bgzip\b/.test(acceptEncoding ?? '') && !headers['content-encoding']) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = String(body.length);
  return { headers, body };
}

/** A JSON answer with the given status (helper for simulators). */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body };
}

/**
 * A deterministic pseudo-random generator (mulberry32) seeded from a string: the same seed gives
 * the same sequence on every machine, so synthetic offline data is reproducible.
 */
export function seededRandom(seed: string): () => number {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What offline mode tells clients about one agency (`extensions.offline`). */
export interface OfflineSource {
  synthetic: boolean;
  note: string;
}

/**
 * Builds the offline dispatcher from every listed module that has a simulator, each mounted at
 * that subgraph's configured base URLs. Modules without a simulator get no mount: their calls are
 * refused like an unreachable host, with an error that says so.
 */
export function createOfflineMode(
  modules: ReadonlyArray<{
    name: string;
    simulator?: ((deps: SimulatorDeps) => AgencySimulator) | undefined;
  }>,
  options: { config: Record<string, unknown>; now: () => number; faults?: OfflineFaults | undefined },
): {
  dispatcher: OfflineDispatcher;
  sources: ReadonlyMap<string, OfflineSource>;
  /** Each simulator's deferred preparation (`AgencySimulator.warm`), once the gateway is ready. */
  warm(): void;
} {
  const simulators: AgencySimulator[] = [];
  const sources = new Map<string, OfflineSource>();
  for (const module of modules) {
    if (!module.simulator) continue;
    const sim = module.simulator({ config: options.config, now: options.now });
    simulators.push(sim);
    sources.set(sim.agency, { synthetic: sim.synthetic, note: sim.note });
  }
  return {
    dispatcher: new OfflineDispatcher({ simulators, faults: options.faults, now: options.now }),
    sources,
    warm() {
      for (const sim of simulators) sim.warm?.();
    },
  };
}
