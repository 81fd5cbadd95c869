import { GraphQLError } from 'graphql';

/**
 * The closed vocabulary of `extensions.code` values this graph emits (the README's "Errors" table lists them).
 * Clients can switch on these; nothing else ever appears in `extensions.code`.
 */
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_BAD_RESPONSE',
  'UPSTREAM_AUTH_REQUIRED',
  'INTERNAL_SERVER_ERROR',
  /** The gateway refused the operation before any upstream call: over MAX_QUERY_COST or an agency's call budget. */
  'QUERY_TOO_EXPENSIVE',
  /** Automatic persisted queries: the hash is unknown; send the full query once (clients rely on this code). */
  'PERSISTED_QUERY_NOT_FOUND',
  /** Allow-list mode: the operation is not in the registered manifest. */
  'OPERATION_NOT_ALLOWED',
  /** The client is over its request or cost rate (HTTP 429 with Retry-After and `retryAfter`). */
  'TOO_MANY_REQUESTS',
  /** The answer grew past MAX_RESPONSE_ITEMS while it was being built; the rest is left out. */
  'RESPONSE_TOO_LARGE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Machine codes of upstream failures, independent of GraphQL. */
export type UpstreamErrorKind =
  | 'TIMEOUT'
  | 'CONNECT'
  | 'HTTP_STATUS'
  | 'BAD_PAYLOAD'
  | 'RATE_LIMITED'
  | 'AUTH_REQUIRED'
  | 'SNAPSHOT_MISSING'
  | 'FAN_OUT'
  /** The agency's circuit breaker is open after repeated failures: failed at once, see `retryAfterMs`. */
  | 'CIRCUIT_OPEN'
  /** The agency rejected what the client asked for (e.g. SCB's 400 "Non-existent value"); `detail` says why. */
  | 'BAD_REQUEST';

/**
 * The one error class agency clients throw. It carries a stable `kind`, the agency, the HTTP status
 * where there was one, and the cause. Its message is safe to show to clients: it never contains
 * upstream bodies, credentials or query strings with keys.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly kind: UpstreamErrorKind;
  readonly agency: string;
  readonly status: number | undefined;
  /** A safe, user-facing explanation the agency gave (e.g. SCB's 400 title), if any. */
  readonly detail: string | undefined;
  /** When a retry may succeed (an open circuit breaker), in ms from now. */
  readonly retryAfterMs: number | undefined;

  constructor(
    kind: UpstreamErrorKind,
    agency: string,
    message: string,
    options: {
      status?: number | undefined;
      cause?: unknown;
      detail?: string | undefined;
      retryAfterMs?: number | undefined;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.agency = agency;
    this.status = options.status;
    this.detail = options.detail;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Maps an upstream failure to the code clients see. */
export function codeForUpstream(error: UpstreamError): ErrorCode {
  switch (error.kind) {
    case 'TIMEOUT':
      return 'UPSTREAM_TIMEOUT';
    case 'RATE_LIMITED':
      return 'UPSTREAM_RATE_LIMITED';
    case 'AUTH_REQUIRED':
      return 'UPSTREAM_AUTH_REQUIRED';
    case 'BAD_PAYLOAD':
      return 'UPSTREAM_BAD_RESPONSE';
    case 'FAN_OUT':
    case 'BAD_REQUEST':
      return 'BAD_USER_INPUT';
    case 'HTTP_STATUS':
      if (error.status === 429) return 'UPSTREAM_RATE_LIMITED';
      if (error.status === 401 || error.status === 403) return 'UPSTREAM_AUTH_REQUIRED';
      if (error.status !== undefined && error.status >= 400 && error.status < 500)
        return 'UPSTREAM_BAD_RESPONSE';
      return 'UPSTREAM_UNAVAILABLE';
    default:
      return 'UPSTREAM_UNAVAILABLE';
  }
}

/** Bad input from the client: rejected before any upstream call, with a message saying what is allowed. */
export function badInput(message: string, agency?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: agency === undefined ? { code: 'BAD_USER_INPUT' } : { code: 'BAD_USER_INPUT', agency },
  });
}

/**
 * The one mapper from anything thrown in a resolver to a client-safe GraphQLError with
 * `extensions: { code, agency[, status] }`. Unknown errors become INTERNAL_SERVER_ERROR without
 * their message (it could leak internals).
 */
export function toGraphQLError(error: unknown, agency: string): GraphQLError {
  if (error instanceof GraphQLError) {
    const code = isErrorCode(error.extensions['code']) ? error.extensions['code'] : 'INTERNAL_SERVER_ERROR';
    return new GraphQLError(error.message, {
      extensions: {
        code,
        agency: typeof error.extensions['agency'] === 'string' ? error.extensions['agency'] : agency,
      },
    });
  }
  if (error instanceof UpstreamError) {
    const extensions: Record<string, unknown> = { code: codeForUpstream(error), agency: error.agency };
    if (error.status !== undefined) extensions['status'] = error.status;
    if (error.retryAfterMs !== undefined) extensions['retryAfter'] = Math.ceil(error.retryAfterMs / 1000);
    return new GraphQLError(error.message, { extensions });
  }
  return new GraphQLError('Internal error', { extensions: { code: 'INTERNAL_SERVER_ERROR', agency } });
}
