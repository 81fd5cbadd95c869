import { connect } from 'node:net';
import Keyv from 'keyv';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { createGatewayApp } from '../../gateway/src/server.ts';
import { createLogger } from '../../kit/logger.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('gateway HTTP edge cases', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.stop());

  it('answers a body over 1 MB with 413 and BAD_USER_INPUT', async () => {
    const query = `{ municipality(code: "0180") { name } } #${'x'.repeat(1_100_000)}`;
    const res = await request(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    expect(res.statusCode).toBe(413);
    expect(await res.body.json()).toMatchObject({
      errors: [{ message: 'Request body larger than 1 MB', extensions: { code: 'BAD_USER_INPUT' } }],
    });
  });

  it('answers a body that is not JSON with 400 and BAD_USER_INPUT', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{ "query": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }],
    });
  });

  it('serves a query by GET', async () => {
    const res = await fetch(
      `${gw.url}/graphql?query=${encodeURIComponent('{ municipality(code: "0180") { name } }')}`,
      { headers: { 'apollo-require-preflight': 'true' } },
    );
    expect(await res.json()).toMatchObject({ data: { municipality: { name: 'Stockholm' } } });
  });

  it('answers an unknown path with 404 naming /graphql', async () => {
    const res = await fetch(`${gw.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'No route /nope: GraphQL is served at /graphql' });
  });

  it('returns upstream statistics only when asked', async () => {
    const query = '{ municipality(code: "0180") { forecast(hours: 1) { time } } }';
    expect((await gw.query(query)).extensions?.['upstream']).toBeUndefined();
    const withStats = await gw.query(query, undefined, { 'x-upstream-stats': '1' });
    expect(withStats.extensions?.['upstream']).toEqual({
      calls: expect.any(Number),
      cacheHits: expect.any(Number),
      stale: [],
    });
  });
});

describe('a client that disconnects mid-upload', () => {
  it('is not logged as an error, and the gateway keeps serving', async () => {
    const lines: string[] = [];
    const app = await createGatewayApp({
      config: loadConfig({ UPSTREAM_MODE: 'snapshot' }),
      logger: createLogger('debug', (line) => lines.push(line)),
      cache: new Keyv(),
    });
    const url = await app.listen(0, '127.0.0.1');
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(new URL(url).port), '127.0.0.1', () => {
          socket.write(
            'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":',
          );
          setTimeout(() => {
            socket.resetAndDestroy();
            resolve();
          }, 50);
        });
        socket.on('error', reject);
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ municipality(code: "0180") { name } }' }),
      });
      expect(await res.json()).toMatchObject({ data: { municipality: { name: 'Stockholm' } } });
      const levels = lines.map((l) => (JSON.parse(l) as { level: string; msg: string }).level);
      expect(levels).not.toContain('error');
      expect(lines.some((l) => l.includes('client went away'))).toBe(true);
    } finally {
      await app.stop();
    }
  });
});
