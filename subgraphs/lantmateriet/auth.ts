import { Agent, type Dispatcher, errors as undiciErrors } from 'undici';
import { UpstreamError } from '../../kit/errors.ts';
import type { Logger } from '../../kit/logger.ts';

export const AGENCY = 'lantmateriet';
/** Where access is obtained (reference §1.1). */
export const GEOTORGET_URL = 'https://geotorget.lantmateriet.se';
export const API_MANAGER_URL = 'https://apimanager.lantmateriet.se';
export const DEFAULT_TOKEN_URL = `${API_MANAGER_URL}/oauth2/token`;

/** The credentials the subgraph was configured with (any may be missing). */
export interface LmCredentials {
  /** API-manager Consumer Key (OAuth2 client id), `LM_CONSUMER_KEY`. */
  consumerKey?: string | undefined;
  /** API-manager Consumer Secret, `LM_CONSUMER_SECRET`. */
  consumerSecret?: string | undefined;
  /** Geotorget user or system account (HTTP Basic), `LM_USERNAME`. */
  username?: string | undefined;
  /** Its password, `LM_PASSWORD`. */
  password?: string | undefined;
}

export type AuthScheme = 'basic' | 'oauth2';

/** One Lantmäteriet API, and which schemes it accepts (reference §0, §1.3). */
export interface LmApi {
  /** Product name as Lantmäteriet writes it, used in messages. */
  readonly product: string;
  /** What the gateway uses it for, used in messages. */
  readonly purpose: string;
  /** Accepted schemes in order of preference when both are configured. */
  readonly accepts: readonly AuthScheme[];
  /** Extra note for the "credentials required" message (purpose review etc.). */
  readonly note?: string;
}

// Basic first where both work: it is reported to work on every one of these, while client-credentials
// tokens were reported refused (403) on administrativ-indelning (reference §2.5, UNCONFIRMED).
export const ORTNAMN: LmApi = {
  product: 'Ortnamn Direkt v2.2',
  purpose: 'place names',
  accepts: ['basic', 'oauth2'],
};
export const MARKHOJD: LmApi = {
  product: 'Markhöjd Direkt',
  purpose: 'elevation',
  accepts: ['basic', 'oauth2'],
};
export const ADMIN: LmApi = {
  product: 'Kommun, län och rike Direkt (administrativ indelning)',
  purpose: 'full-detail boundaries',
  accepts: ['basic', 'oauth2'],
  note: 'The product must be approved for the account at Geotorget.',
};
export const ADDRESS: LmApi = {
  product: 'Belägenhetsadress Direkt v4.2',
  purpose: 'addresses',
  accepts: ['oauth2'],
  note: 'Addresses are personal data: the order goes through a purpose review and comes with stricter terms of use.',
};

const VARIABLES: Record<AuthScheme, string> = {
  basic: 'LM_USERNAME and LM_PASSWORD (a Geotorget user or system account)',
  oauth2: `LM_CONSUMER_KEY and LM_CONSUMER_SECRET (the Consumer Key and Secret from API-manager, ${API_MANAGER_URL})`,
};

/** The message of UPSTREAM_AUTH_REQUIRED when an API has no usable credentials. Never holds values. */
export function credentialsRequiredMessage(api: LmApi, problem?: string): string {
  const how = api.accepts.map((s) => VARIABLES[s]).join(', or ');
  return [
    `Lantmäteriet ${api.purpose} (${api.product}) need credentials${problem ? `: ${problem}` : ''}.`,
    `Set ${how}.`,
    `Access: create an account at Geotorget (${GEOTORGET_URL}), order the product, then take the keys from API-manager (${API_MANAGER_URL}) → Applications → Production Keys.`,
    ...(api.note ? [api.note] : []),
    'Without credentials, UPSTREAM_MODE=offline answers from a simulator (synthetic data) and UPSTREAM_MODE=snapshot replays the recorded answers.',
  ].join(' ');
}

/** A failure of the token endpoint itself (not of an API call made with a token): never retried with a new token. */
export class TokenEndpointError extends UpstreamError {}

/** OAuth2 client-credentials token, cached until shortly before it expires. */
export interface TokenSource {
  /**
   * A valid access token (cached, or fetched once for concurrent callers). A caller whose `signal`
   * aborts stops waiting (its request's deadline) without cancelling the fetch others share.
   */
  token(signal?: AbortSignal): Promise<string>;
  /** Tokens obtained so far (for tests and logs). */
  fetches(): number;
  /**
   * Forgets the cached token after a 401. A refresh already under way is kept: concurrent requests
   * that failed with the same old token then share one new token.
   */
  invalidate(): void;
  close(): Promise<void>;
}

export interface TokenSourceOptions {
  tokenUrl: string;
  consumerKey: string;
  consumerSecret: string;
  /** Default: an undici Agent of its own. Tests pass a MockAgent. */
  dispatcher?: Dispatcher | undefined;
  /** Clock, default `Date.now`. */
  now?: () => number;
  logger: Logger;
  /** Lifetime assumed when the token response has no `expires_in` (default 3600 s; reference: UNCONFIRMED). */
  defaultExpiresInS?: number;
  /** Request deadline (default 10 s). */
  timeoutMs?: number;
}

/** Refresh this long before expiry: a tenth of the lifetime, at most one minute. */
export function refreshMarginMs(expiresInS: number): number {
  return Math.min(60_000, (expiresInS * 1000) / 10);
}

export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const { tokenUrl, logger, now = Date.now, defaultExpiresInS = 3600, timeoutMs = 10_000 } = options;
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? new Agent({ connections: 2, connect: { timeout: 5_000 } });
  const basic = Buffer.from(`${options.consumerKey}:${options.consumerSecret}`, 'utf8').toString('base64');
  let cached: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;
  let fetched = 0;

  async function fetchToken(): Promise<string> {
    const url = new URL(tokenUrl);
    const signal = AbortSignal.timeout(timeoutMs);
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      res = await dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers: {
          // client_secret_basic (RFC 6749 §2.3.1): the consumer key and secret never go into the body.
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
        signal,
      });
      text = await res.body.text();
    } catch (err) {
      const timeout =
        signal.aborted ||
        err instanceof undiciErrors.HeadersTimeoutError ||
        err instanceof undiciErrors.BodyTimeoutError ||
        err instanceof undiciErrors.ConnectTimeoutError;
      throw new TokenEndpointError(
        timeout ? 'TIMEOUT' : 'CONNECT',
        AGENCY,
        timeout
          ? "Lantmäteriet's token endpoint (LM_TOKEN_URL) did not answer in time"
          : "Lantmäteriet's token endpoint (LM_TOKEN_URL) could not be reached",
        { cause: err },
      );
    }
    if (res.statusCode === 400 || res.statusCode === 401 || res.statusCode === 403) {
      throw new TokenEndpointError(
        'AUTH_REQUIRED',
        AGENCY,
        `Lantmäteriet's token endpoint refused LM_CONSUMER_KEY/LM_CONSUMER_SECRET (HTTP ${res.statusCode}): check the Production Keys of the application in API-manager (${API_MANAGER_URL}) and LM_TOKEN_URL.`,
        { status: res.statusCode },
      );
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new TokenEndpointError(
        'HTTP_STATUS',
        AGENCY,
        `Lantmäteriet's token endpoint answered HTTP ${res.statusCode}`,
        { status: res.statusCode },
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new TokenEndpointError('BAD_PAYLOAD', AGENCY, "Lantmäteriet's token endpoint sent invalid JSON", {
        cause: err,
      });
    }
    const json = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const token = json['access_token'];
    if (typeof token !== 'string' || token === '') {
      throw new TokenEndpointError(
        'BAD_PAYLOAD',
        AGENCY,
        "Lantmäteriet's token response has no access_token",
      );
    }
    const given = Number(json['expires_in']);
    const expiresInS = Number.isFinite(given) && given > 0 ? given : defaultExpiresInS;
    cached = { token, refreshAt: now() + expiresInS * 1000 - refreshMarginMs(expiresInS) };
    fetched += 1;
    logger.info({ agency: AGENCY, expiresInS }, 'obtained a Lantmäteriet OAuth2 token');
    return token;
  }

  return {
    async token(signal) {
      if (cached && now() < cached.refreshAt) return cached.token;
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      if (!signal) return pending;
      const shared = pending;
      return new Promise<string>((resolve, reject) => {
        const stop = () =>
          reject(
            new TokenEndpointError(
              'TIMEOUT',
              AGENCY,
              "Lantmäteriet's token endpoint (LM_TOKEN_URL) did not answer in time",
            ),
          );
        if (signal.aborted) return stop();
        signal.addEventListener('abort', stop, { once: true });
        shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
      });
    },
    fetches: () => fetched,
    invalidate() {
      if (!pending) cached = undefined;
    },
    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

/** Chooses and supplies credentials per API. */
export interface LmAuth {
  /** The scheme used for `api`: the first it accepts that is configured; null when none is. */
  schemeFor(api: LmApi): AuthScheme | null;
  /** Throws UPSTREAM_AUTH_REQUIRED (naming the variables to set) unless `api` has usable credentials. */
  require(api: LmApi): AuthScheme;
  /** The kit upstream's `headers` option for `api` (called per attempt, so a refreshed token is used). */
  headersFor(api: LmApi): (signal?: AbortSignal) => Promise<Record<string, string>>;
  /** Drops the cached OAuth2 token (after a 401), so the next attempt fetches a new one. */
  invalidateToken(): void;
  close(): Promise<void>;
}

export interface LmAuthOptions {
  credentials: LmCredentials;
  tokenUrl: string;
  dispatcher?: Dispatcher | undefined;
  now?: () => number;
  logger: Logger;
}

export function createAuth(options: LmAuthOptions): LmAuth {
  const { credentials: c } = options;
  const hasBasic = Boolean(c.username && c.password);
  const hasOauth = Boolean(c.consumerKey && c.consumerSecret);
  const tokens =
    hasOauth && c.consumerKey && c.consumerSecret
      ? createTokenSource({
          tokenUrl: options.tokenUrl,
          consumerKey: c.consumerKey,
          consumerSecret: c.consumerSecret,
          dispatcher: options.dispatcher,
          logger: options.logger,
          ...(options.now ? { now: options.now } : {}),
        })
      : undefined;
  const basicHeader = hasBasic
    ? `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`
    : undefined;

  /** Says which half of a pair is missing, without echoing any value. */
  function halfConfigured(): string | undefined {
    const half: string[] = [];
    if (Boolean(c.consumerKey) !== Boolean(c.consumerSecret))
      half.push(c.consumerKey ? 'LM_CONSUMER_SECRET is not set' : 'LM_CONSUMER_KEY is not set');
    if (Boolean(c.username) !== Boolean(c.password))
      half.push(c.username ? 'LM_PASSWORD is not set' : 'LM_USERNAME is not set');
    return half.length > 0 ? half.join(' and ') : undefined;
  }

  const auth: LmAuth = {
    schemeFor(api) {
      for (const scheme of api.accepts) {
        if (scheme === 'basic' && hasBasic) return 'basic';
        if (scheme === 'oauth2' && hasOauth) return 'oauth2';
      }
      return null;
    },
    require(api) {
      const scheme = auth.schemeFor(api);
      if (scheme) return scheme;
      const configuredOther =
        hasBasic && !api.accepts.includes('basic')
          ? 'LM_USERNAME/LM_PASSWORD (HTTP Basic) are set, but this API takes OAuth2 only'
          : undefined;
      throw new UpstreamError(
        'AUTH_REQUIRED',
        AGENCY,
        credentialsRequiredMessage(api, configuredOther ?? halfConfigured() ?? 'none are configured'),
      );
    },
    headersFor(api) {
      return async (signal) => {
        const scheme = auth.require(api);
        if (scheme === 'basic') return { authorization: basicHeader! };
        return { authorization: `Bearer ${await tokens!.token(signal)}` };
      };
    },
    invalidateToken() {
      tokens?.invalidate();
    },
    async close() {
      await tokens?.close();
    },
  };
  return auth;
}
