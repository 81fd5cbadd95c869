import type { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../kit/errors.ts';
import { silentLogger } from '../../kit/logger.ts';
import {
  ADDRESS,
  ADMIN,
  createAuth,
  createTokenSource,
  MARKHOJD,
  ORTNAMN,
  refreshMarginMs,
} from '../../subgraphs/lantmateriet/auth.ts';
import {
  API,
  BASIC_ONLY,
  basicHeader,
  clientHeader,
  createHarness,
  fixture,
  OAUTH_ONLY,
  ORTNAMN as ORTNAMN_PATH,
  offlineAgent,
  SECRETS,
  type SeenRequest,
  seen,
  TOKEN_ORIGIN,
} from './harness.ts';

const TOKEN_URL = `${TOKEN_ORIGIN}/oauth2/token`;

function fakeClock(start = Date.parse('2026-11-26T12:00:00Z')) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** Token endpoint that hands out tok-1, tok-2, … and records each request. */
function tokenEndpoint(agent: MockAgent, seenRequests: SeenRequest[], expiresIn: number | undefined = 3600) {
  let n = 0;
  agent
    .get(TOKEN_ORIGIN)
    .intercept({ path: '/oauth2/token', method: 'POST' })
    .reply((opts) => {
      seenRequests.push(seen(opts));
      n += 1;
      const body: Record<string, unknown> = { access_token: `tok-${n}`, token_type: 'Bearer' };
      if (expiresIn !== undefined) body['expires_in'] = expiresIn;
      return {
        statusCode: 200,
        data: JSON.stringify(body),
        responseOptions: { headers: { 'content-type': 'application/json' } },
      };
    })
    .persist();
}

describe('OAuth2 client credentials token', () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = offlineAgent();
  });
  afterEach(async () => {
    await agent.close();
  });

  it('asks with grant_type=client_credentials and the key and secret as HTTP Basic, form-encoded', async () => {
    const requests: SeenRequest[] = [];
    tokenEndpoint(agent, requests);
    const tokens = createTokenSource({
      tokenUrl: TOKEN_URL,
      consumerKey: SECRETS.LM_CONSUMER_KEY,
      consumerSecret: SECRETS.LM_CONSUMER_SECRET,
      dispatcher: agent,
      logger: silentLogger,
    });
    expect(await tokens.token()).toBe('tok-1');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers['authorization']).toBe(clientHeader);
    expect(requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(requests[0]!.body).toBe('grant_type=client_credentials');
  });

  it('caches the token until shortly before expires_in, then fetches a new one', async () => {
    const requests: SeenRequest[] = [];
    tokenEndpoint(agent, requests, 3600);
    const clock = fakeClock();
    const tokens = createTokenSource({
      tokenUrl: TOKEN_URL,
      consumerKey: 'k',
      consumerSecret: 's',
      dispatcher: agent,
      logger: silentLogger,
      now: clock.now,
    });
    expect(await tokens.token()).toBe('tok-1');
    expect(refreshMarginMs(3600)).toBe(60_000);
    clock.advance(3600_000 - 60_000 - 1);
    expect(await tokens.token()).toBe('tok-1');
    expect(requests).toHaveLength(1);
    clock.advance(1);
    expect(await tokens.token()).toBe('tok-2');
    expect(requests).toHaveLength(2);
  });

  it('assumes 3600 s when expires_in is missing', async () => {
    const requests: SeenRequest[] = [];
    tokenEndpoint(agent, requests, undefined);
    const clock = fakeClock();
    const tokens = createTokenSource({
      tokenUrl: TOKEN_URL,
      consumerKey: 'k',
      consumerSecret: 's',
      dispatcher: agent,
      logger: silentLogger,
      now: clock.now,
    });
    await tokens.token();
    clock.advance(3500_000);
    expect(await tokens.token()).toBe('tok-1');
    clock.advance(60_000);
    expect(await tokens.token()).toBe('tok-2');
  });

  it('fetches one token for concurrent callers', async () => {
    const requests: SeenRequest[] = [];
    tokenEndpoint(agent, requests);
    const tokens = createTokenSource({
      tokenUrl: TOKEN_URL,
      consumerKey: 'k',
      consumerSecret: 's',
      dispatcher: agent,
      logger: silentLogger,
    });
    const all = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    expect(all).toEqual(['tok-1', 'tok-1', 'tok-1']);
    expect(requests).toHaveLength(1);
    expect(tokens.fetches()).toBe(1);
  });

  it('turns a refused token request into AUTH_REQUIRED that names the variables, not their values', async () => {
    agent
      .get(TOKEN_ORIGIN)
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply(401, { error: 'invalid_client' });
    const tokens = createTokenSource({
      tokenUrl: TOKEN_URL,
      consumerKey: SECRETS.LM_CONSUMER_KEY,
      consumerSecret: SECRETS.LM_CONSUMER_SECRET,
      dispatcher: agent,
      logger: silentLogger,
    });
    const err = await tokens.token().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('AUTH_REQUIRED');
    expect((err as UpstreamError).message).toMatch(/LM_CONSUMER_KEY\/LM_CONSUMER_SECRET/);
    expect((err as UpstreamError).message).toMatch(/apimanager\.lantmateriet\.se/);
    expect((err as UpstreamError).message).not.toContain(SECRETS.LM_CONSUMER_SECRET);
    expect((err as UpstreamError).message).not.toContain(SECRETS.LM_CONSUMER_KEY);
  });
});

describe('scheme per API', () => {
  it('prefers Basic where both are accepted and both are configured; addresses take OAuth2 only', () => {
    const both = createAuth({
      credentials: {
        username: 'u',
        password: 'p',
        consumerKey: 'k',
        consumerSecret: 's',
      },
      tokenUrl: TOKEN_URL,
      logger: silentLogger,
    });
    expect([ORTNAMN, MARKHOJD, ADMIN].map((api) => both.schemeFor(api))).toEqual(['basic', 'basic', 'basic']);
    expect(both.schemeFor(ADDRESS)).toBe('oauth2');
  });

  it('uses what is configured', () => {
    const oauth = createAuth({
      credentials: { consumerKey: 'k', consumerSecret: 's' },
      tokenUrl: TOKEN_URL,
      logger: silentLogger,
    });
    expect(oauth.schemeFor(ORTNAMN)).toBe('oauth2');
    const basic = createAuth({
      credentials: { username: 'u', password: 'p' },
      tokenUrl: TOKEN_URL,
      logger: silentLogger,
    });
    expect(basic.schemeFor(MARKHOJD)).toBe('basic');
    expect(basic.schemeFor(ADDRESS)).toBeNull();
    expect(() => basic.require(ADDRESS)).toThrow(
      /this API takes OAuth2 only.*LM_CONSUMER_KEY and LM_CONSUMER_SECRET/,
    );
  });

  it('says which half of a pair is missing, without values', () => {
    const half = createAuth({
      credentials: { consumerKey: 'only-the-key' },
      tokenUrl: TOKEN_URL,
      logger: silentLogger,
    });
    expect(() => half.require(ORTNAMN)).toThrow(/LM_CONSUMER_SECRET is not set/);
    try {
      half.require(ORTNAMN);
    } catch (err) {
      expect((err as Error).message).not.toContain('only-the-key');
    }
  });

  it('sends HTTP Basic with the Geotorget account', async () => {
    const auth = createAuth({ credentials: BASIC_ONLY_CREDS, tokenUrl: TOKEN_URL, logger: silentLogger });
    expect(await auth.headersFor(ORTNAMN)()).toEqual({ authorization: basicHeader });
  });
});

const BASIC_ONLY_CREDS = { username: SECRETS.LM_USERNAME, password: SECRETS.LM_PASSWORD };

describe('API calls with credentials (live mode)', () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = offlineAgent();
  });
  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  const QUERY = '{ placeNames(name: "Abisko", limit: 5) { name } }';
  const PATH = `${ORTNAMN_PATH}/kriterier?namn=Abisko&match=equals&maxHits=5&srid=3006`;

  it('sends Authorization: Basic to Ortnamn when LM_USERNAME/LM_PASSWORD are set', async () => {
    const calls: SeenRequest[] = [];
    agent
      .get(API)
      .intercept({ path: PATH, method: 'GET' })
      .reply((opts) => {
        calls.push(seen(opts));
        return {
          statusCode: 200,
          data: JSON.stringify(fixture('ortnamn_v2.2_kriterier_abisko_synthetic.json')),
        };
      });
    const h = createHarness({ env: BASIC_ONLY, dispatcher: agent });
    const result = await h.run(QUERY);
    expect(result.errors).toBeUndefined();
    expect(calls[0]!.headers['authorization']).toBe(basicHeader);
    await h.close();
  });

  it('on a 401 refreshes the token once and retries with the new one', async () => {
    const tokens: SeenRequest[] = [];
    tokenEndpoint(agent, tokens);
    const calls: SeenRequest[] = [];
    const pool = agent.get(API);
    pool.intercept({ path: PATH, method: 'GET' }).reply((opts) => {
      calls.push(seen(opts));
      return { statusCode: 401, data: 'Invalid Credentials' };
    });
    pool.intercept({ path: PATH, method: 'GET' }).reply((opts) => {
      calls.push(seen(opts));
      return {
        statusCode: 200,
        data: JSON.stringify(fixture('ortnamn_v2.2_kriterier_abisko_synthetic.json')),
      };
    });
    const h = createHarness({ env: OAUTH_ONLY, dispatcher: agent });
    const result = await h.run(QUERY);
    expect(result.errors).toBeUndefined();
    expect((result.data!['placeNames'] as unknown[]).length).toBe(3);
    expect(calls.map((c) => c.headers['authorization'])).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(tokens).toHaveLength(2);
    await h.close();
  });

  it('a second 401 after the refresh is final: UPSTREAM_AUTH_REQUIRED, no third attempt', async () => {
    const tokens: SeenRequest[] = [];
    tokenEndpoint(agent, tokens);
    const calls: SeenRequest[] = [];
    agent
      .get(API)
      .intercept({ path: PATH, method: 'GET' })
      .reply((opts) => {
        calls.push(seen(opts));
        return { statusCode: 401, data: 'Invalid Credentials' };
      })
      .times(2);
    const h = createHarness({ env: OAUTH_ONLY, dispatcher: agent });
    const result = await h.run(QUERY);
    expect(result.data!['placeNames']).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_AUTH_REQUIRED',
      agency: 'lantmateriet',
      status: 401,
    });
    expect(result.errors?.[0]?.message).toMatch(/refused the configured credentials for Ortnamn Direkt v2.2/);
    expect(result.errors?.[0]?.message).toMatch(/LM_CONSUMER_KEY\/LM_CONSUMER_SECRET/);
    expect(calls).toHaveLength(2);
    expect(tokens).toHaveLength(2);
    await h.close();
  });

  it('with Basic a 401 is not retried (a refresh cannot help) and says to check the account', async () => {
    const calls: SeenRequest[] = [];
    agent
      .get(API)
      .intercept({ path: PATH, method: 'GET' })
      .reply((opts) => {
        calls.push(seen(opts));
        return { statusCode: 401, data: '' };
      });
    const h = createHarness({ env: BASIC_ONLY, dispatcher: agent });
    const result = await h.run(QUERY);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_AUTH_REQUIRED');
    expect(result.errors?.[0]?.message).toMatch(/LM_USERNAME\/LM_PASSWORD.*geotorget\.lantmateriet\.se/);
    expect(calls).toHaveLength(1);
    await h.close();
  });

  it('reuses one token across requests until it expires', async () => {
    const tokens: SeenRequest[] = [];
    tokenEndpoint(agent, tokens);
    const clock = fakeClock();
    const pool = agent.get(API);
    const seenAuth: string[] = [];
    pool
      .intercept({ path: (p) => p.startsWith(`${ORTNAMN_PATH}/kriterier`), method: 'GET' })
      .reply((opts) => {
        seenAuth.push(seen(opts).headers['authorization'] ?? '');
        return {
          statusCode: 200,
          data: JSON.stringify(fixture('ortnamn_v2.2_kriterier_abisko_synthetic.json')),
        };
      })
      .times(3);
    const h = createHarness({ env: OAUTH_ONLY, dispatcher: agent, now: clock.now });
    await h.run('{ placeNames(name: "A1") { name } }');
    await h.run('{ placeNames(name: "A2") { name } }');
    clock.advance(3600_000);
    await h.run('{ placeNames(name: "A3") { name } }');
    expect(seenAuth).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
    expect(tokens).toHaveLength(2);
    await h.close();
  });
});
