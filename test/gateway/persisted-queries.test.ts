/**
 * Persisted queries: APQ's hash → query store is shared through Redis (CACHE_URL) by every replica,
 * PERSISTED_QUERY_NOT_FOUND reaches clients unchanged (APQ clients resend the full query only on
 * it), and a manifest registers operations sent by id; with PERSISTED_QUERIES_ONLY=true nothing else
 * is served, and a refused document never reaches an agency.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import {
  createPersistedQueries,
  MANIFEST_FORMAT,
  type PersistedQueryManifest,
  parseManifest,
  sha256,
} from '../../gateway/src/persisted.ts';
import { ConfigError } from '../../kit/config.ts';
import { silentLogger } from '../../kit/logger.ts';
import { buildManifest } from '../../scripts/persisted-manifest.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { README_QUERY } from '../helpers/readme-query.ts';
import { hasRedis, redisUrl } from '../helpers/services.ts';

/** A Redis database no other test uses; every key this file writes is deleted afterwards. */
const REDIS_URL = redisUrl(11);
// README_QUERY is answered from the recorded snapshot: it calls SMHI (an upstream event per call).
const COUNTIES = 'query Counties { counties { code name } }';

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

async function post(gw: TestGateway, payload: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const byHash = (hash: string, query?: string) => ({
  ...(query === undefined ? {} : { query }),
  extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
});

describe.skipIf(!hasRedis())('automatic persisted queries in the shared Redis (CACHE_URL)', () => {
  const redis = createClient({ url: REDIS_URL });
  const written: string[] = [];
  const gateways: TestGateway[] = [];
  beforeAll(async () => {
    await redis.connect();
  });
  afterAll(async () => {
    for (const gw of gateways.splice(0)) await gw.stop();
    if (written.length > 0) await redis.del(written);
    await redis.close();
  });

  it('unknown hash → PERSISTED_QUERY_NOT_FOUND unchanged; full query + hash → stored; hash alone then works on another replica', async () => {
    const [a, b] = await Promise.all([
      startTestGateway({ env: { CACHE_URL: REDIS_URL } }),
      startTestGateway({ env: { CACHE_URL: REDIS_URL } }),
    ]);
    gateways.push(a!, b!);
    // A query no earlier run registered: its comment makes the hash unique.
    const query = `{ counties { code name } } # ${randomUUID()}`;
    const hash = sha256(query);
    written.push(`sodg:apq:${hash}`);

    const unknown = await post(a!, byHash(hash));
    expect(unknown.body.errors).toEqual([
      { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
    ]);
    expect(unknown.status).toBe(200); // what APQ clients expect before they resend the full query

    const registered = await post(a!, byHash(hash, query));
    expect(registered.status).toBe(200);
    expect(registered.body.errors).toBeUndefined();
    expect((registered.body.data as { counties: unknown[] }).counties).toHaveLength(21);

    // Stored once in Redis, under the gateway's own prefix, with an expiry.
    await expect.poll(() => redis.exists(`sodg:apq:${hash}`)).toBe(1);
    expect(await redis.ttl(`sodg:apq:${hash}`)).toBeGreaterThan(3600);

    for (const gw of [a!, b!]) {
      const hit = await post(gw, byHash(hash));
      expect(hit.status).toBe(200);
      expect(hit.body.errors).toBeUndefined();
      expect(hit.body.data).toEqual(registered.body.data);
    }
  });

  it('a hash that does not match its query is BAD_USER_INPUT (400) and stores nothing', async () => {
    const gw = await startTestGateway({ env: { CACHE_URL: REDIS_URL } });
    gateways.push(gw);
    const wrong = sha256(randomUUID());
    const answer = await post(gw, byHash(wrong, COUNTIES));
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(await redis.exists(`sodg:apq:${wrong}`)).toBe(0);
  });

  it('with Redis unreachable a hash is a miss: the client resends the full query and is served', async () => {
    const gw = await startTestGateway({ env: { CACHE_URL: 'redis://127.0.0.1:1' } });
    gateways.push(gw);
    const query = `{ counties { code } } # ${randomUUID()}`;
    const miss = await post(gw, byHash(sha256(query)));
    expect(miss.body.errors?.[0]?.extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_FOUND' });
    const full = await post(gw, byHash(sha256(query), query));
    expect(full.status).toBe(200);
    expect((full.body.data as { counties: unknown[] }).counties).toHaveLength(21);
  });

  it('without CACHE_URL the store is in memory, per process', async () => {
    const [a, b] = await Promise.all([startTestGateway(), startTestGateway()]);
    gateways.push(a!, b!);
    const query = `{ counties { code } } # ${randomUUID()}`;
    expect((await post(a!, byHash(sha256(query), query))).status).toBe(200);
    expect((await post(a!, byHash(sha256(query)))).body.errors).toBeUndefined();
    expect((await post(b!, byHash(sha256(query)))).body.errors?.[0]?.extensions?.['code']).toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );
  });
});

describe('a manifest of registered operations (PERSISTED_QUERIES_MANIFEST)', () => {
  let dir: string;
  let manifestFile: string;
  const manifest: PersistedQueryManifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    operations: [
      { id: 'counties-v1', name: 'Counties', type: 'query', body: COUNTIES },
      { id: sha256(README_QUERY), name: 'Readme', type: 'query', body: README_QUERY },
    ],
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sodg-pq-'));
    manifestFile = join(dir, 'manifest.json');
    writeFileSync(manifestFile, JSON.stringify(manifest));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('allow-list mode (PERSISTED_QUERIES_ONLY=true)', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({
        env: { PERSISTED_QUERIES_MANIFEST: manifestFile, PERSISTED_QUERIES_ONLY: 'true' },
      });
    });
    afterAll(() => gw?.stop());

    it('serves a registered operation by its id, by its body hash, and as its full text', async () => {
      const byId = await post(gw, byHash('counties-v1'));
      expect(byId.status).toBe(200);
      expect((byId.body.data as { counties: unknown[] }).counties).toHaveLength(21);
      const readme = await post(gw, byHash(sha256(README_QUERY)));
      expect(readme.body.errors).toBeUndefined();
      expect(readme.body.data).toMatchObject({ municipality: { name: 'Stockholm' } });
      // The same document up to whitespace and comments is the registered one.
      const text = await post(gw, { query: `# counties\nquery   Counties {\n  counties { code, name }\n}` });
      expect(text.status).toBe(200);
      expect(text.body.data).toEqual(byId.body.data);
    });

    it('serves a registered id over GET', async () => {
      const search = new URLSearchParams({
        extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: 'counties-v1' } }),
      });
      const res = await fetch(`${gw.url}/graphql?${search}`, {
        headers: { 'apollo-require-preflight': '1' },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: { counties: unknown[] } }).data.counties).toHaveLength(21);
    });

    it('refuses any other document with 403 OPERATION_NOT_ALLOWED before any upstream call', async () => {
      const before = gw.events.length;
      const other = README_QUERY.replace('hours: 3', 'hours: 4');
      for (const payload of [
        { query: other },
        byHash(sha256(other), other), // APQ registration is no way round the list
        byHash(sha256(other)),
        byHash('no-such-id'),
        { query: '{ __schema { types { name } } }' },
      ]) {
        const answer = await post(gw, payload);
        expect(answer.status).toBe(403);
        expect(answer.body.data).toBeUndefined();
        expect(answer.body.errors).toHaveLength(1);
        expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'OPERATION_NOT_ALLOWED' });
      }
      const search = new URLSearchParams({ query: other });
      const res = await fetch(`${gw.url}/graphql?${search}`, {
        headers: { 'apollo-require-preflight': '1' },
      });
      expect(res.status).toBe(403);
      expect(gw.events.length).toBe(before);
    });
  });

  it('without PERSISTED_QUERIES_ONLY registered ids are served and other documents too', async () => {
    const gw = await startTestGateway({ env: { PERSISTED_QUERIES_MANIFEST: manifestFile } });
    try {
      const byId = await post(gw, byHash('counties-v1'));
      expect((byId.body.data as { counties: unknown[] }).counties).toHaveLength(21);
      const before = gw.events.length;
      const other = await post(gw, { query: README_QUERY.replace('hours: 3', 'hours: 2') });
      expect(other.status).toBe(200);
      expect(other.body.data).toMatchObject({ municipality: { name: 'Stockholm' } });
      expect(gw.events.length).toBeGreaterThan(before); // the document the allow-list refuses calls SMHI
      expect((await post(gw, byHash(sha256('{ counties { code } }')))).body.errors?.[0]?.extensions).toEqual({
        code: 'PERSISTED_QUERY_NOT_FOUND',
      });
    } finally {
      await gw.stop();
    }
  });

  it('serves every example by id from the manifest `npm run persisted:manifest` writes', async () => {
    const examples = buildManifest();
    expect(examples.operations.length).toBeGreaterThan(5);
    for (const op of examples.operations) expect(op.id).toBe(sha256(op.body));
    const file = join(dir, 'examples.json');
    writeFileSync(file, JSON.stringify(examples));
    const gw = await startTestGateway({
      env: { PERSISTED_QUERIES_MANIFEST: file, PERSISTED_QUERIES_ONLY: 'true' },
    });
    try {
      const op = examples.operations.find((o) => o.name === 'MunicipalityAtAGlance')!;
      const answer = await post(gw, byHash(op.id));
      expect(answer.status).toBe(200);
      expect(answer.body.data).toMatchObject({ municipality: { code: '0180' } });
    } finally {
      await gw.stop();
    }
  });

  it('a malformed or missing manifest stops start-up with a ConfigError naming the variable', async () => {
    const bad: Array<[string, RegExp]> = [
      ['{ not json', /not JSON/],
      ['[]', /not a JSON object/],
      [JSON.stringify({ ...manifest, format: 'other' }), /"format" is "other"/],
      [JSON.stringify({ ...manifest, version: 2 }), /"version" is 2/],
      [JSON.stringify({ ...manifest, operations: {} }), /"operations" is not an array/],
      [
        JSON.stringify({ ...manifest, operations: [{ id: 'x', name: 'X', type: 'query', body: '{ oops' }] }),
        /operations\[0\] \(id "x"\)\.body is not a GraphQL document/,
      ],
      [
        JSON.stringify({ ...manifest, operations: [manifest.operations[0], manifest.operations[0]] }),
        /operations\[1\] \(id "counties-v1"\): the id is used twice/,
      ],
      [
        JSON.stringify({ ...manifest, operations: [{ id: 'x', name: 'X', type: 'query!', body: COUNTIES }] }),
        /\.type is "query!"/,
      ],
    ];
    for (const [text, reason] of bad) {
      const file = join(dir, 'bad.json');
      writeFileSync(file, text);
      const err = await startTestGateway({ env: { PERSISTED_QUERIES_MANIFEST: file } }).then(
        async (gw) => {
          await gw.stop();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConfigError);
      const problem = (err as ConfigError).problems[0]!;
      expect(problem).toMatch(
        /^PERSISTED_QUERIES_MANIFEST=".*bad\.json" is not a persisted query manifest: /,
      );
      expect(problem).toMatch(reason);
    }
    expect(() =>
      createPersistedQueries({
        config: { PERSISTED_QUERIES_MANIFEST: join(dir, 'missing.json') },
        logger: silentLogger,
      }),
    ).toThrow(/PERSISTED_QUERIES_MANIFEST=".*missing\.json" cannot be read \(ENOENT\)/);
    expect(() =>
      createPersistedQueries({ config: { PERSISTED_QUERIES_ONLY: true }, logger: silentLogger }),
    ).toThrow(/PERSISTED_QUERIES_ONLY=true needs PERSISTED_QUERIES_MANIFEST/);
    expect(() => loadConfig({ PERSISTED_QUERIES_ONLY: 'yes' })).toThrow(
      /PERSISTED_QUERIES_ONLY="yes" is not allowed/,
    );
  });

  it('parseManifest accepts what Apollo tools write', () => {
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
  });
});
