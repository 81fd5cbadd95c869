import Keyv from 'keyv';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { ConfigError } from '../../kit/config.ts';
import { UpstreamError } from '../../kit/errors.ts';
import { silentLogger } from '../../kit/logger.ts';
import {
  type AgencySimulator,
  createOfflineMode,
  json,
  OfflineDispatcher,
  type OfflineFaults,
  parseOfflineFaults,
  seededRandom,
} from '../../kit/simulator.ts';
import { createTrace, createUpstream, type UpstreamOptions } from '../../kit/upstream.ts';

const BASE = 'https://agency.test/api/v2';

/** A tiny simulator of a made-up API: echoes what it received, 404 for /missing…. */
function echoSimulator(): AgencySimulator & { seen: string[] } {
  const seen: string[] = [];
  return {
    agency: 'demo',
    synthetic: true,
    note: 'echo',
    seen,
    mounts: [
      {
        baseUrl: BASE,
        handle(req) {
          seen.push(`${req.method} ${req.path}?${req.query.toString()}`);
          if (req.path.startsWith('/missing')) return json(404, { error: 'Not found' });
          if (req.path === '/big') return json(200, { items: Array.from({ length: 20_000 }, (_, i) => i) });
          return json(200, { path: req.path, q: req.query.get('q'), body: req.json() ?? null });
        },
      },
      {
        baseUrl: 'https://agency.test/api',
        handle: () => json(200, { shorter: true }),
      },
    ],
    faultResponse: (status) => json(status, { title: 'agency-shaped error' }, { 'retry-after': '1' }),
  };
}

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

function upstream(dispatcher: OfflineDispatcher | MockAgent, extra: Partial<UpstreamOptions> = {}) {
  const up = createUpstream({
    agency: 'demo',
    baseUrl: BASE,
    cache: new Keyv(),
    logger: silentLogger,
    mode: 'offline',
    dispatcher,
    sleep: async () => {},
    ...extra,
  });
  opened.push(up);
  return up;
}

const anyJson = (j: unknown) => j as Record<string, unknown>;

describe('OfflineDispatcher', () => {
  it('routes by the longest base URL and hands the simulator path, query and JSON body', async () => {
    const sim = echoSimulator();
    const up = upstream(new OfflineDispatcher({ simulators: [sim] }));
    expect(await up.get({ path: '/tables/TAB638', query: { q: 'å ä' }, parse: anyJson })).toEqual({
      path: '/tables/TAB638',
      q: 'å ä',
      body: null,
    });
    const posted = await up.request({
      method: 'POST',
      path: '/data',
      body: { selection: [1, 2] },
      idempotent: true,
      parse: anyJson,
    });
    expect(posted.data).toEqual({ path: '/data', q: null, body: { selection: [1, 2] } });
    const other = createUpstream({
      agency: 'demo',
      baseUrl: 'https://agency.test/api/v1',
      cache: new Keyv(),
      logger: silentLogger,
      mode: 'offline',
      dispatcher: new OfflineDispatcher({ simulators: [sim] }),
    });
    opened.push(other);
    expect(await other.get({ path: '/x', parse: anyJson })).toEqual({ shorter: true });
    expect(sim.seen).toEqual(['GET /tables/TAB638?q=%C3%A5+%C3%A4', 'POST /data?']);
  });

  it('refuses origins no simulator serves, like an unreachable host', async () => {
    const up = createUpstream({
      agency: 'elsewhere',
      baseUrl: 'https://nowhere.test',
      cache: new Keyv(),
      logger: silentLogger,
      mode: 'offline',
      retries: 0,
      dispatcher: new OfflineDispatcher({ simulators: [echoSimulator()] }),
    });
    opened.push(up);
    const err = await up.get({ path: '/x', parse: anyJson }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('CONNECT');
  });

  it('passes the simulator’s 404 to the client (null for a thing looked up by id)', async () => {
    const up = upstream(new OfflineDispatcher({ simulators: [echoSimulator()] }));
    expect(await up.get({ path: '/missing', parse: anyJson, notFoundIsNull: true })).toBeNull();
    // Without the caller's say-so a 404 is an error, as from the real agency.
    expect(await up.get({ path: '/missing/too', parse: anyJson }).catch((e: Error) => e.message)).toMatch(
      /HTTP 404/,
    );
  });

  it('gzips large answers when asked, and the client decodes them', async () => {
    const up = upstream(new OfflineDispatcher({ simulators: [echoSimulator()] }));
    const data = (await up.get({ path: '/big', parse: anyJson })) as { items: number[] };
    expect(data.items).toHaveLength(20_000);
  });

  it('marks every answer, fresh or cached, as offline in the request trace', async () => {
    const up = upstream(new OfflineDispatcher({ simulators: [echoSimulator()] }));
    const first = createTrace();
    await up.get({ path: '/a', parse: anyJson, trace: first });
    const second = createTrace();
    await up.get({ path: '/a', parse: anyJson, trace: second });
    expect([...first.offline]).toEqual(['demo']);
    expect(second.cacheHits).toBe(1);
    expect([...second.offline]).toEqual(['demo']);
  });

  it('refuses to run offline without the simulators’ dispatcher (it would reach the network)', () => {
    expect(() =>
      createUpstream({
        agency: 'demo',
        baseUrl: BASE,
        cache: new Keyv(),
        logger: silentLogger,
        mode: 'offline',
      }),
    ).toThrow(/offline.*dispatcher/);
  });
});

describe('OFFLINE_FAULTS', () => {
  const failing = (faults: OfflineFaults, extra: Partial<UpstreamOptions> = {}) =>
    upstream(new OfflineDispatcher({ simulators: [echoSimulator()], faults }), { retries: 1, ...extra });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as UpstreamError,
    );

  it('parses agency=fault lists and rejects anything else', () => {
    expect(
      parseOfflineFaults('scb=500, jobtech=timeout,smhi=429,sgu=refused,lantmateriet=malformed'),
    ).toEqual({
      scb: { kind: 'status', status: 500 },
      jobtech: { kind: 'timeout' },
      smhi: { kind: 'status', status: 429 },
      sgu: { kind: 'refused' },
      lantmateriet: { kind: 'malformed' },
    });
    expect(parseOfflineFaults('scb=200')).toBeUndefined();
    expect(parseOfflineFaults('scb=slow')).toBeUndefined();
    expect(parseOfflineFaults('scb')).toBeUndefined();
    expect(() => loadConfig({ OFFLINE_FAULTS: 'scb=slow' })).toThrow(ConfigError);
    expect(() => loadConfig({ OFFLINE_FAULTS: 'scb=slow' })).toThrow(/OFFLINE_FAULTS=.*timeout/);
  });

  it('an HTTP status in the agency’s own error shape, retried like the real one', async () => {
    const sim = echoSimulator();
    const up = upstream(
      new OfflineDispatcher({ simulators: [sim], faults: { demo: { kind: 'status', status: 503 } } }),
      {
        retries: 2,
      },
    );
    const err = await failure(up.get({ path: '/x', parse: anyJson }));
    expect(err).toMatchObject({ kind: 'HTTP_STATUS', status: 503 });
    expect(sim.seen).toEqual([]); // the fault answers before the simulator's handler
  });

  it('429 becomes RATE_LIMITED', async () => {
    const err = await failure(
      failing({ demo: { kind: 'status', status: 429 } }).get({ path: '/x', parse: anyJson }),
    );
    expect(err).toMatchObject({ kind: 'RATE_LIMITED', status: 429 });
  });

  it('timeout holds the request until the caller’s deadline', async () => {
    const up = failing({ demo: { kind: 'timeout' } }, { headersTimeoutMs: 100, retries: 0 });
    const started = Date.now();
    const err = await failure(up.get({ path: '/x', parse: anyJson }));
    expect(err).toMatchObject({ kind: 'TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('refused is a connection failure', async () => {
    const err = await failure(failing({ demo: { kind: 'refused' } }).get({ path: '/x', parse: anyJson }));
    expect(err).toMatchObject({ kind: 'CONNECT' });
  });

  it('malformed and html are bad payloads', async () => {
    for (const kind of ['malformed', 'html'] as const) {
      const err = await failure(
        failing({ demo: { kind } }).get({
          path: '/x',
          parse: (j) => {
            if (typeof j !== 'object' || j === null) throw new Error('not an object');
            return j;
          },
        }),
      );
      expect(err, kind).toMatchObject({ kind: 'BAD_PAYLOAD' });
    }
  });

  it('faults apply only to the named agency', async () => {
    const up = failing({ other: { kind: 'status', status: 500 } });
    expect(await up.get({ path: '/x', parse: anyJson })).toMatchObject({ path: '/x' });
  });
});

describe('offline and live answers never mix in a shared cache', () => {
  it('the same URL cached by a live and an offline upstream stays apart', async () => {
    const shared = new Keyv();
    const live = new MockAgent();
    live.disableNetConnect();
    live
      .get('https://agency.test')
      .intercept({ path: '/api/v2/a', method: 'GET' })
      .reply(200, { from: 'live' });
    const liveUp = upstream(live, { mode: 'live', cache: shared });
    const offlineUp = upstream(new OfflineDispatcher({ simulators: [echoSimulator()] }), { cache: shared });
    expect(await offlineUp.get({ path: '/a', parse: anyJson })).toMatchObject({ path: '/a' });
    // Live must go upstream (the offline entry is not its own) and get the live answer.
    expect(await liveUp.get({ path: '/a', parse: anyJson })).toEqual({ from: 'live' });
    expect(await offlineUp.get({ path: '/a', parse: anyJson })).toMatchObject({ path: '/a' });
    live.assertNoPendingInterceptors();
  });
});

describe('createOfflineMode', () => {
  it('mounts each module’s simulator at its configured URLs and reports its sources', () => {
    const { dispatcher, sources } = createOfflineMode(
      [
        { name: 'demo', simulator: ({ config }) => ({ ...echoSimulator(), note: String(config['NOTE']) }) },
        { name: 'bare' },
      ],
      { config: { NOTE: 'from config' }, now: () => 0 },
    );
    expect(dispatcher.routeFor(new URL(`${BASE}/x`))?.agency).toBe('demo');
    expect(dispatcher.routeFor(new URL('https://other.test/x'))).toBeUndefined();
    expect(Object.fromEntries(sources)).toEqual({ demo: { synthetic: true, note: 'from config' } });
  });

  it('defers each simulator’s preparation to warm(), which the gateway calls once it listens', async () => {
    let warmed = 0;
    const offline = createOfflineMode(
      [
        { name: 'demo', simulator: () => ({ ...echoSimulator(), warm: () => void warmed++ }) },
        { name: 'bare' },
      ],
      { config: {}, now: () => 0 },
    );
    expect(warmed).toBe(0);
    offline.warm();
    expect(warmed).toBe(1);
  });
});

describe('seededRandom', () => {
  it('is deterministic per seed and spread over [0, 1)', () => {
    const a = seededRandom('0180');
    const b = seededRandom('0180');
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
    expect(seededRandom('0181')()).not.toBe(seededRandom('0180')());
  });
});
