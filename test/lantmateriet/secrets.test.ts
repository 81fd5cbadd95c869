import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileSnapshotStore } from '../../kit/snapshot.ts';
import {
  ADMIN,
  ADRESS,
  API,
  basicHeader,
  captureLogger,
  clientHeader,
  createHarness,
  fixture,
  MARKHOJD,
  OAUTH_ONLY,
  ORTNAMN,
  offlineAgent,
  SECRETS,
  TOKEN_ORIGIN,
} from './harness.ts';

const ACCESS_TOKEN = 'eyTEST-ACCESS-TOKEN-9d2f';
/** Every string that must never be written anywhere. */
const FORBIDDEN = [
  ...Object.values(SECRETS),
  ACCESS_TOKEN,
  basicHeader.slice('Basic '.length),
  clientHeader.slice('Basic '.length),
];

const json = (body: unknown) => ({
  statusCode: 200,
  data: JSON.stringify(body),
  responseOptions: { headers: { 'content-type': 'application/json' } },
});

function leaks(text: string): string[] {
  return FORBIDDEN.filter((secret) => text.includes(secret));
}

describe('no secret reaches a log line, an error message or a recorded snapshot file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lm-record-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('record mode with credentials: snapshot files hold responses only, and no addresses', async () => {
    const agent = offlineAgent();
    agent
      .get(TOKEN_ORIGIN)
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply(() => json({ access_token: ACCESS_TOKEN, expires_in: 3600 }))
      .persist();
    const pool = agent.get(API);
    pool
      .intercept({ path: (p) => p.startsWith(`${ORTNAMN}/kriterier`), method: 'GET' })
      .reply(() => json(fixture('ortnamn_v2.2_kriterier_abisko_synthetic.json')));
    pool
      .intercept({ path: `${MARKHOJD}/hojd`, method: 'POST' })
      .reply(() => json(fixture('markhojd_v1_hojd_abisko_synthetic.json')));
    pool
      .intercept({ path: (p) => p.startsWith(`${ADMIN}/collections/kommuner/items`), method: 'GET' })
      .reply(() => json(fixture('administrativ_indelning_kommuner_0180_synthetic.json')));
    pool
      .intercept({ path: (p) => p.startsWith(`${ADRESS}/referens/fritext`), method: 'GET' })
      .reply(() => json(fixture('belagenhetsadress_v4.2_referens_fritext_synthetic.json')));
    pool
      .intercept({ path: `${ADRESS}/?includeData=basinformation`, method: 'POST' })
      .reply(() => json(fixture('belagenhetsadress_v4.2_features_synthetic.json')));
    const { logger, lines } = captureLogger();
    const h = createHarness({
      env: { ...SECRETS },
      mode: 'record',
      snapshot: createFileSnapshotStore(dir),
      dispatcher: agent,
      logger,
    });
    const result = await h.run(`{
      placeNames(name: "Abisko", limit: 5) { name }
      place(latitude: 68.3486, longitude: 18.8257) { elevation }
      municipality(code: "0180") { boundary(detail: FULL) }
      addresses(search: "Exempelgatan") { label }
    }`);
    expect(result.errors).toBeUndefined();
    agent.assertNoPendingInterceptors();
    await h.close();
    await agent.close();

    const files = readdirSync(dir);
    // Ortnamn, Markhöjd and the boundary were recorded; the addresses (personal data) were not.
    expect(files.some((f) => f.includes('ortnamn'))).toBe(true);
    expect(files.some((f) => f.includes('markhojd'))).toBe(true);
    expect(files.some((f) => f.includes('administrativ-indelning'))).toBe(true);
    expect(files.filter((f) => f.includes('belagenhetsadress'))).toEqual([]);
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(leaks(text), file).toEqual([]);
      expect(text.toLowerCase()).not.toContain('authorization');
      expect(text).not.toContain('Exempelgatan');
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(leaks(lines.join('\n'))).toEqual([]);
  });

  it('refusals and token failures: messages and logs name variables, never values', async () => {
    const agent = offlineAgent();
    let tokenCalls = 0;
    agent
      .get(TOKEN_ORIGIN)
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply(() => {
        tokenCalls += 1;
        return tokenCalls === 1
          ? json({ access_token: ACCESS_TOKEN, expires_in: 3600 })
          : { statusCode: 401, data: '' };
      })
      .persist();
    agent
      .get(API)
      .intercept({ path: (p) => p.startsWith(`${ORTNAMN}/kriterier`), method: 'GET' })
      .reply(401, 'Invalid Credentials')
      .persist();
    const { logger, lines } = captureLogger();
    const h = createHarness({ env: OAUTH_ONLY, dispatcher: agent, logger });
    const result = await h.run('{ placeNames(name: "Abisko") { name } }');
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_AUTH_REQUIRED');
    expect(result.errors?.[0]?.message).toMatch(/token endpoint refused LM_CONSUMER_KEY\/LM_CONSUMER_SECRET/);
    expect(leaks(JSON.stringify(result.errors))).toEqual([]);
    expect(leaks(lines.join('\n'))).toEqual([]);
    await h.close();
    await agent.close();
  });

  it('a bad credential value is never echoed by configuration errors', async () => {
    // The variables are declared secret: a rejected value is shown as (hidden).
    const { lantmaterietEnv } = await import('../../subgraphs/lantmateriet/index.ts');
    for (const name of ['LM_CONSUMER_KEY', 'LM_CONSUMER_SECRET', 'LM_USERNAME', 'LM_PASSWORD'] as const) {
      expect(lantmaterietEnv[name].secret).toBe(true);
    }
  });
});

describe('address searches stay out of the logs', () => {
  it('logs a failed address request without its query string', async () => {
    const agent = offlineAgent();
    agent
      .get(TOKEN_ORIGIN)
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply(() => json({ access_token: ACCESS_TOKEN, expires_in: 3600 }))
      .persist();
    agent
      .get(API)
      .intercept({ path: (p) => p.startsWith(`${ADRESS}/referens/fritext`), method: 'GET' })
      .reply(503, 'down')
      .times(3);
    const { logger, lines } = captureLogger();
    const h = createHarness({ env: OAUTH_ONLY, dispatcher: agent, logger });
    const result = await h.run('{ addresses(search: "Exempelgatan 12B") { id } }');
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    const failure = lines.find((l) => l.includes('upstream request failed'));
    expect(failure).toContain('referens/fritext?(query omitted: personal data)');
    expect(lines.join('\n')).not.toContain('Exempelgatan');
    agent.assertNoPendingInterceptors();
    await h.close();
    await agent.close();
  });

  it('keeps the search out of cache-failure log lines too (they carry the cache key, i.e. the URL)', async () => {
    const agent = offlineAgent();
    agent
      .get(TOKEN_ORIGIN)
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply(() => json({ access_token: ACCESS_TOKEN, expires_in: 3600 }))
      .persist();
    const pool = agent.get(API);
    pool
      .intercept({ path: (p) => p.startsWith(`${ADRESS}/referens/fritext`), method: 'GET' })
      .reply(() => json(fixture('belagenhetsadress_v4.2_referens_fritext_synthetic.json')));
    pool
      .intercept({ path: `${ADRESS}/?includeData=basinformation`, method: 'POST' })
      .reply(() => json(fixture('belagenhetsadress_v4.2_features_synthetic.json')));
    // A cache that never answers (a hung Redis): every read and write times out and is logged.
    const hung = new Map<string, unknown>();
    hung.get = () => new Promise(() => undefined) as never;
    hung.set = () => new Promise(() => undefined) as never;
    const { logger, lines } = captureLogger();
    const h = createHarness({
      env: OAUTH_ONLY,
      dispatcher: agent,
      logger,
      cache: new Keyv({ store: hung }),
    });
    const result = await h.run('{ addresses(search: "Exempelgatan 12B") { id } }');
    expect(result.errors).toBeUndefined();
    const cacheLines = lines.filter((l) => l.includes('cache read failed'));
    expect(cacheLines.length).toBeGreaterThan(0);
    expect(cacheLines.join('\n')).toContain('referens/fritext?(query omitted: personal data)');
    expect(lines.join('\n')).not.toContain('Exempelgatan');
    await h.close();
    await agent.close();
  });
});
