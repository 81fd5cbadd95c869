import { json, type SimRequest, type SimResponse } from '../../../kit/simulator.ts';
import { uuidFrom } from './util.ts';

/**
 * The simulated API-manager (OAuth2 token endpoint) and the credential check of the simulated APIs.
 *
 * Offline mode has no real credentials. When none are configured, the subgraph uses these fixed,
 * obviously fake ones (`index.ts`), so the real OAuth2 code path (token request, caching, Bearer
 * header, 401 → new token) runs against this simulator. They open nothing anywhere else.
 */
export const OFFLINE_CONSUMER_KEY = 'offline-demo';
export const OFFLINE_CONSUMER_SECRET = 'offline-demo-not-a-secret';

/** Token lifetime the simulated endpoint grants (the reference's assumed 3600 s, UNCONFIRMED). */
export const TOKEN_LIFETIME_S = 3600;
/** WSO2 API Manager's default scope (reference §1.2, `am_application_scope default`). */
const TOKEN_SCOPE = 'am_application_scope default';

export interface SimCredentials {
  /** The OAuth2 client the token endpoint accepts. */
  client: { key: string; secret: string };
  /** HTTP Basic user the APIs accept besides tokens; null when none is configured. */
  basic: { username: string; password: string } | null;
}

/** What the simulator accepts: the configured credentials, else the offline ones. */
export function simCredentials(config: {
  LM_CONSUMER_KEY?: string | undefined;
  LM_CONSUMER_SECRET?: string | undefined;
  LM_USERNAME?: string | undefined;
  LM_PASSWORD?: string | undefined;
}): SimCredentials {
  return {
    client:
      config.LM_CONSUMER_KEY && config.LM_CONSUMER_SECRET
        ? { key: config.LM_CONSUMER_KEY, secret: config.LM_CONSUMER_SECRET }
        : { key: OFFLINE_CONSUMER_KEY, secret: OFFLINE_CONSUMER_SECRET },
    basic:
      config.LM_USERNAME && config.LM_PASSWORD
        ? { username: config.LM_USERNAME, password: config.LM_PASSWORD }
        : null,
  };
}

/**
 * A WSO2 API Manager gateway fault (`{"fault":{"code":900902,"message":"Missing Credentials",…}}`):
 * API-manager's terms (Applications, Production Keys, Consumer Key/Secret, `am_application_scope`) are
 * WSO2's, and WSO2 documents this JSON fault body (https://wso2.com/blogs/cloud/custom-api-error-messages).
 * No Lantmäteriet error body has been recorded (reference §6), so the shape is an assumption.
 */
export function gatewayFault(
  status: number,
  code: number,
  message: string,
  description: string,
  headers: Record<string, string> = {},
): SimResponse {
  return json(status, { fault: { code, message, description } }, headers);
}

const safeEqual = (a: string, b: string) => a.length === b.length && a === b;

function basicPair(header: string | undefined): { user: string; pass: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

export interface TokenIssuer {
  /** `POST LM_TOKEN_URL`: client credentials → `{ access_token, scope, token_type, expires_in }`. */
  handle(req: SimRequest): SimResponse;
  /**
   * Null when the request carries a valid Bearer token (or, where `basic` is allowed, the configured
   * Basic user); otherwise the gateway's 401 fault.
   */
  refuse(req: SimRequest, options: { basic: boolean; api: string }): SimResponse | null;
  /** Tokens issued so far (tests). */
  issued(): number;
}

export function createTokenIssuer(credentials: SimCredentials): TokenIssuer {
  const tokens = new Map<string, number>();
  let count = 0;

  const oauthError = (
    status: number,
    error: string,
    description: string,
    headers: Record<string, string> = {},
  ) => json(status, { error, error_description: description }, { 'cache-control': 'no-store', ...headers });

  return {
    handle(req) {
      if (req.method !== 'POST') {
        return oauthError(405, 'invalid_request', 'The token endpoint takes POST only.', { allow: 'POST' });
      }
      const form = new URLSearchParams(req.body ?? '');
      // client_secret_basic (what auth.ts sends) or client_secret_post.
      const basic = basicPair(req.headers['authorization']);
      const id = basic?.user ?? form.get('client_id') ?? '';
      const secret = basic?.pass ?? form.get('client_secret') ?? '';
      if (!safeEqual(id, credentials.client.key) || !safeEqual(secret, credentials.client.secret)) {
        return oauthError(401, 'invalid_client', 'Client Authentication failed.', {
          'www-authenticate': 'Basic realm="apimanager"',
        });
      }
      const grant = form.get('grant_type');
      if (grant !== 'client_credentials') {
        return oauthError(
          400,
          grant ? 'unsupported_grant_type' : 'invalid_request',
          grant ? `Unsupported grant_type value: ${grant}` : 'Missing grant_type parameter value',
        );
      }
      count += 1;
      const token = uuidFrom(`lantmateriet/token/${count}/${req.now}`);
      tokens.set(token, req.now + TOKEN_LIFETIME_S * 1000);
      return json(
        200,
        { access_token: token, scope: TOKEN_SCOPE, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_S },
        { 'cache-control': 'no-store', pragma: 'no-cache' },
      );
    },
    refuse(req, { basic, api }) {
      const header = req.headers['authorization'];
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
      if (bearer !== undefined) {
        const expires = tokens.get(bearer);
        if (expires !== undefined && req.now < expires) return null;
        return gatewayFault(
          401,
          900901,
          'Invalid Credentials',
          `Access failure for API: ${api}. Invalid or expired access token: make sure you have given the correct access token.`,
          { 'www-authenticate': 'Bearer error="invalid_token"' },
        );
      }
      const pair = basicPair(header);
      if (pair) {
        const ok =
          basic &&
          credentials.basic !== null &&
          safeEqual(pair.user, credentials.basic.username) &&
          safeEqual(pair.pass, credentials.basic.password);
        if (ok) return null;
        return gatewayFault(
          401,
          900901,
          'Invalid Credentials',
          basic
            ? `Access failure for API: ${api}. Invalid Basic credentials: make sure you have provided the correct security credentials.`
            : `Access failure for API: ${api}. This API takes OAuth2 access tokens only ("Authorization: Bearer ACCESS_TOKEN").`,
          { 'www-authenticate': basic ? 'Basic realm="Authorization Server"' : 'Bearer' },
        );
      }
      return gatewayFault(
        401,
        900902,
        'Missing Credentials',
        `Required OAuth credentials not provided. Make sure your API invocation call has a header: "Authorization: Bearer ACCESS_TOKEN"${basic ? ' or "Authorization: Basic …"' : ''}.`,
        { 'www-authenticate': basic ? 'Basic realm="Authorization Server", Bearer' : 'Bearer' },
      );
    },
    issued: () => count,
  };
}
