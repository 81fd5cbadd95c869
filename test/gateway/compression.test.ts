/**
 * Compressed responses (RESPONSE_COMPRESSION, RESPONSE_COMPRESSION_MIN_BYTES): Brotli or gzip as the
 * client accepts, the same answer once decompressed, Vary: Accept-Encoding on every response, small
 * bodies and clients that do not ask sent as they are. Requests go through node:http, which, unlike
 * fetch, neither asks for nor decompresses anything by itself.
 */
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const NOW = Date.parse('2026-04-02T11:30:00Z');
/** All 290 municipalities with population: about 20 kB of JSON. */
const LARGE = '{ municipalities { code name population } }';
const SMALL = '{ municipality(code: "0180") { name } }';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(
  gw: TestGateway,
  path: string,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Raw> {
  const url = new URL(path, gw.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'fixed', ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A gateway in offline mode at a fixed time, with these settings besides. */
const offline = (env: Record<string, string> = {}) =>
  startTestGateway({ env: { UPSTREAM_MODE: 'offline', ...env }, now: () => NOW });

const graphql = (gw: TestGateway, query: string, headers: Record<string, string> = {}) =>
  send(gw, '/graphql', { body: JSON.stringify({ query }), headers });

function decoded(raw: Raw): string {
  const encoding = raw.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(raw.body).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(raw.body).toString('utf8');
  expect(encoding).toBeUndefined();
  return raw.body.toString('utf8');
}

describe('compressed responses (the default: on, from 1024 bytes)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await offline();
  });
  afterAll(() => gw.stop());

  it('sends Brotli when accepted, gzip when only that is, the same answer either way', async () => {
    const plain = await graphql(gw, LARGE);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const text = plain.body.toString('utf8');
    expect(JSON.parse(text).data.municipalities).toHaveLength(290);

    const br = await graphql(gw, LARGE, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(decoded(br)).toBe(text);
    expect(br.body.length).toBeLessThan(text.length / 3);

    const gzip = await graphql(gw, LARGE, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(decoded(gzip)).toBe(text);

    // q=0 refuses an encoding; identity only means none.
    const notBr = await graphql(gw, LARGE, { 'accept-encoding': 'br;q=0, gzip' });
    expect(notBr.headers['content-encoding']).toBe('gzip');
    const identity = await graphql(gw, LARGE, { 'accept-encoding': 'identity' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.toString('utf8')).toBe(text);
  });

  it('says Vary: Accept-Encoding (and Origin) on every response, compressed or not', async () => {
    for (const headers of [{}, { 'accept-encoding': 'gzip' }]) {
      for (const query of [LARGE, SMALL]) {
        const vary = String((await graphql(gw, query, headers)).headers['vary']).toLowerCase();
        expect(vary).toContain('accept-encoding');
        expect(vary).toContain('origin');
      }
    }
  });

  it('sends a body under the threshold as it is', async () => {
    const small = await graphql(gw, SMALL, { 'accept-encoding': 'gzip, br' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString('utf8')).data.municipality.name).toBe('Stockholm');
  });

  it('compresses replayed response-cache hits, and exports', async () => {
    const first = await graphql(gw, LARGE, { 'accept-encoding': 'br' });
    const again = await graphql(gw, LARGE, { 'accept-encoding': 'br' });
    expect(again.headers['x-response-cache']).toBe('hit');
    expect(again.headers['content-encoding']).toBe('br');
    expect(decoded(again)).toBe(decoded(first));

    const csv = await send(gw, `/export?format=csv&query=${encodeURIComponent(LARGE)}`, {
      method: 'GET',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-encoding']).toBe('gzip');
    const lines = decoded(csv).trim().split('\n');
    expect(lines).toHaveLength(291);
  });

  it('gzips a replayed hit once for all its replays: each request then gets it with its own id', async () => {
    const query = '{ municipalities { code population } }';
    await graphql(gw, query);
    const plain = await graphql(gw, query, { 'x-request-id': 'plain-1' });
    expect(plain.headers['x-response-cache']).toBe('hit');
    const text = plain.body.toString('utf8');
    expect(text.length).toBeGreaterThan(5_000);
    const as = (id: string) => text.replace('"requestId":"plain-1"', `"requestId":"${id}"`);
    // A client that prefers Brotli but accepts gzip: Brotli from the middleware while the gzip is
    // made on zlib's thread pool, then gzip, with its length (the middleware streams without one).
    const seen: string[] = [];
    let spliced: Raw | undefined;
    for (let i = 0; i < 50 && !spliced; i++) {
      const id = `replay-${i}`;
      const res = await graphql(gw, query, { 'accept-encoding': 'br;q=1, gzip;q=0.5', 'x-request-id': id });
      expect(res.headers['x-response-cache']).toBe('hit');
      expect(decoded(res)).toBe(as(id));
      seen.push(String(res.headers['content-encoding']));
      if (res.headers['content-encoding'] === 'gzip') spliced = res;
      else await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen[0]).toBe('br');
    expect(spliced?.headers['content-length']).toBe(String(spliced?.body.length));
    expect(String(spliced?.headers['vary']).toLowerCase()).toContain('accept-encoding');
    expect(spliced!.body.length).toBeLessThan(text.length / 3);
    // Then every replay for a gzip client, each with its own request id; Brotli-only clients keep Brotli.
    for (const id of ['next-1', 'ÅÄÖ is not allowed in an id', 'next-2']) {
      const res = await graphql(gw, query, { 'accept-encoding': 'gzip', 'x-request-id': id });
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(decoded(res)).toBe(as(String(res.headers['x-request-id'])));
    }
    const br = await graphql(gw, query, { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(decoded(br)).toBe(as('fixed'));
    // A client that refuses gzip does not get it.
    const refused = await graphql(gw, query, { 'accept-encoding': 'gzip;q=0, identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.toString('utf8')).toBe(as('fixed'));
  });

  it('leaves the explorer page to its own gzip, and answers OPTIONS without a body', async () => {
    const page = await send(gw, '/', {
      method: 'GET',
      headers: { accept: 'text/html', 'accept-encoding': 'gzip' },
    });
    expect(page.status).toBe(200);
    expect(decoded(page)).toContain('<html');
    const preflight = await send(gw, '/graphql', {
      method: 'OPTIONS',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.body.length).toBe(0);
  });
});

describe('RESPONSE_COMPRESSION=off, and RESPONSE_COMPRESSION_MIN_BYTES', () => {
  const running: TestGateway[] = [];
  afterAll(async () => {
    for (const gw of running) await gw.stop();
  });
  const started = async (env: Record<string, string>) => {
    const gw = await offline(env);
    running.push(gw);
    return gw;
  };

  it('off: every response as it is, and Vary names Origin only', async () => {
    const gw = await started({ RESPONSE_COMPRESSION: 'off' });
    const res = await graphql(gw, LARGE, { 'accept-encoding': 'gzip, br' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(res.body.toString('utf8')).data.municipalities).toHaveLength(290);
    expect(String(res.headers['vary']).toLowerCase()).not.toContain('accept-encoding');
  });

  it('a threshold of 0 compresses the smallest answer too', async () => {
    const gw = await started({ RESPONSE_COMPRESSION_MIN_BYTES: '0' });
    const small = await graphql(gw, SMALL, { 'accept-encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(decoded(small)).data.municipality.name).toBe('Stockholm');
  });

  it('refuses a value it does not know, saying what is allowed', async () => {
    await expect(offline({ RESPONSE_COMPRESSION: 'gzip' })).rejects.toThrow(/RESPONSE_COMPRESSION.*on.*off/s);
  });
});
