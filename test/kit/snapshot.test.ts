import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import type { Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeForUpstream, type UpstreamError } from '../../kit/errors.ts';
import { silentLogger } from '../../kit/logger.ts';
import {
  createFileSnapshotStore,
  type RecordedExchange,
  snapshotFileName,
  snapshotKey,
} from '../../kit/snapshot.ts';
import { createUpstream, type UpstreamOptions } from '../../kit/upstream.ts';
import { anyJson, fakeClock, ORIGIN, offlineAgent, rejectionOf } from './helpers.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sodg-snapshot-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A dispatcher that records every use: snapshot mode must never reach it. */
function trapDispatcher() {
  const touched: string[] = [];
  const trap = {
    request(opts: { path: string }) {
      touched.push(opts.path);
      return Promise.reject(new Error('the network was used in snapshot mode'));
    },
    close: async () => undefined,
  } as unknown as Dispatcher;
  return { trap, touched };
}

function upstream(options: Partial<UpstreamOptions>) {
  const clock = fakeClock();
  return createUpstream({
    agency: 'test',
    baseUrl: ORIGIN,
    cache: new Keyv(),
    logger: silentLogger,
    now: clock.now,
    sleep: clock.sleep,
    snapshot: createFileSnapshotStore(dir),
    ...options,
  });
}

describe('snapshot keys', () => {
  it('key the request by method, full URL and a key-order-independent body', () => {
    expect(snapshotKey('get', 'https://a.test/x?b=2&a=1')).toBe('GET https://a.test/x?b=2&a=1');
    expect(snapshotKey('POST', 'https://a.test/q', { b: [1, { d: 1, c: 2 }], a: null })).toBe(
      snapshotKey('POST', 'https://a.test/q', { a: null, b: [1, { c: 2, d: 1 }] }),
    );
    expect(snapshotFileName('GET', 'https://a.test/x?a=1')).not.toBe(
      snapshotFileName('GET', 'https://a.test/x?a=2'),
    );
    expect(snapshotFileName('GET', 'https://a.test/x/y.json')).toMatch(
      /^GET_a\.test_x_y\.json_[0-9a-f]{16}\.json$/,
    );
  });
});

describe('snapshot mode', () => {
  it('replays a recorded response and never touches the dispatcher', async () => {
    const store = createFileSnapshotStore(dir);
    await store.put({
      request: { method: 'GET', url: `${ORIGIN}/forecast?lat=59.3`, body: undefined },
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: { temp: -1.5 } },
      recordedAt: '2026-04-02T11:00:00Z',
    } as RecordedExchange);
    const { trap, touched } = trapDispatcher();
    const up = upstream({ mode: 'snapshot', dispatcher: trap });
    expect(await up.get({ path: '/forecast', query: { lat: 59.3 }, parse: anyJson })).toEqual({ temp: -1.5 });
    expect(touched).toEqual([]);
  });

  it('replays a recorded POST keyed by its body', async () => {
    const store = createFileSnapshotStore(dir);
    await store.put({
      request: {
        method: 'POST',
        url: `${ORIGIN}/data`,
        body: { query: [{ code: 'Region', values: ['0180'] }] },
      },
      response: { status: 200, headers: {}, body: { value: [975_551] } },
      recordedAt: '2026-04-02T11:00:00Z',
    });
    const { trap, touched } = trapDispatcher();
    const up = upstream({ mode: 'snapshot', dispatcher: trap });
    const result = await up.request({
      method: 'POST',
      path: '/data',
      body: { query: [{ values: ['0180'], code: 'Region' }] },
      parse: anyJson,
    });
    expect(result.data).toEqual({ value: [975_551] });
    expect(touched).toEqual([]);
  });

  it('replays a recorded 404 as null', async () => {
    await createFileSnapshotStore(dir).put({
      request: { method: 'GET', url: `${ORIGIN}/gone` },
      response: { status: 404, headers: {}, body: { error: 'not found' } },
      recordedAt: 'x',
    });
    const { trap } = trapDispatcher();
    expect(
      await upstream({ mode: 'snapshot', dispatcher: trap }).get({
        path: '/gone',
        parse: anyJson,
        notFoundIsNull: true,
      }),
    ).toBeNull();
  });

  it('a missing recording fails naming the request, without touching the dispatcher', async () => {
    const { trap, touched } = trapDispatcher();
    const up = upstream({ mode: 'snapshot', dispatcher: trap });
    const err = (await rejectionOf(
      up.get({ path: '/forecast', query: { lat: 63.8, api_key: 'secret' }, parse: anyJson }),
    )) as UpstreamError;
    expect(err.kind).toBe('SNAPSHOT_MISSING');
    expect(err.message).toContain(`No recorded test response for GET ${ORIGIN}/forecast?lat=63.8`);
    expect(err.message).toContain('npm run record');
    expect(err.message).not.toContain('secret');
    expect(codeForUpstream(err)).toBe('UPSTREAM_UNAVAILABLE');
    expect(touched).toEqual([]);
  });

  it('refuses to start without a snapshot store', () => {
    expect(() =>
      createUpstream({
        agency: 'test',
        baseUrl: ORIGIN,
        cache: new Keyv(),
        logger: silentLogger,
        mode: 'snapshot',
      }),
    ).toThrow(/needs a snapshot store/);
  });
});

describe('record mode', () => {
  it('writes the exchange without request headers, then snapshot mode replays it', async () => {
    const agent = offlineAgent();
    agent
      .get(ORIGIN)
      .intercept({ path: '/stations/42?lang=sv', method: 'GET' })
      .reply(
        200,
        { id: 42, name: 'Abisko' },
        {
          headers: {
            'content-type': 'application/json',
            'cache-control': 'max-age=600',
            'set-cookie': 'session=abc',
            'x-request-id': 'r1',
          },
        },
      );
    const recorder = upstream({
      mode: 'record',
      dispatcher: agent,
      headers: { authorization: 'Bearer top-secret-token', 'x-api-key': 'key-123' },
    });
    expect(await recorder.get({ path: '/stations/42', query: { lang: 'sv' }, parse: anyJson })).toEqual({
      id: 42,
      name: 'Abisko',
    });
    agent.assertNoPendingInterceptors();
    await agent.close();

    const files = await readdir(dir);
    expect(files).toEqual([snapshotFileName('GET', `${ORIGIN}/stations/42?lang=sv`)]);
    const text = await readFile(join(dir, files[0]!), 'utf8');
    const saved = JSON.parse(text) as RecordedExchange;
    expect(saved.request).toEqual({ method: 'GET', url: `${ORIGIN}/stations/42?lang=sv` });
    expect(saved.response).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'max-age=600' },
      body: { id: 42, name: 'Abisko' },
    });
    expect(saved.recordedAt).toBe(new Date(fakeClock().now()).toISOString());
    for (const secret of ['top-secret-token', 'key-123', 'authorization', 'session=abc'])
      expect(text).not.toContain(secret);

    const { trap, touched } = trapDispatcher();
    const replay = upstream({ mode: 'snapshot', dispatcher: trap });
    expect(await replay.get({ path: '/stations/42', query: { lang: 'sv' }, parse: anyJson })).toEqual({
      id: 42,
      name: 'Abisko',
    });
    expect(touched).toEqual([]);
  });

  it('records a POST with its body, and does not record failures', async () => {
    const agent = offlineAgent();
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: '/q', method: 'POST' }).reply(200, { rows: 1 });
    pool.intercept({ path: '/down', method: 'GET' }).reply(500, { error: 'x' });
    const recorder = upstream({ mode: 'record', dispatcher: agent, retries: 0 });
    await recorder.request({ method: 'POST', path: '/q', body: { b: 1, a: 2 }, parse: anyJson });
    await rejectionOf(recorder.get({ path: '/down', parse: anyJson }));
    await agent.close();
    const files = await readdir(dir);
    expect(files).toEqual([snapshotFileName('POST', `${ORIGIN}/q`, { a: 2, b: 1 })]);
    const saved = JSON.parse(await readFile(join(dir, files[0]!), 'utf8')) as RecordedExchange;
    expect(saved.request).toEqual({ method: 'POST', url: `${ORIGIN}/q`, body: { b: 1, a: 2 } });
  });
});
