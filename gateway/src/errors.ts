import type { GraphQLFormattedError } from 'graphql';
import { type ErrorCode, isErrorCode } from '../../subgraphs/kit/errors.ts';

/** Apollo's request-level codes, mapped onto our closed vocabulary. */
const REQUEST_CODES: Record<string, ErrorCode> = {
  GRAPHQL_PARSE_FAILED: 'BAD_USER_INPUT',
  GRAPHQL_VALIDATION_FAILED: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_USER_INPUT',
  INVALID_GRAPHQL: 'BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_FOUND: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_SUPPORTED: 'BAD_USER_INPUT',
};

/**
 * Every error leaving the gateway carries `extensions.code` from the fixed set and, where an agency
 * was involved, `extensions.agency`. A code already set is never overwritten; other keys are dropped
 * (no stack traces, no upstream bodies, no ad-hoc keys).
 */
export function formatError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const ext = formatted.extensions ?? {};
  const given = ext['code'];
  const code: ErrorCode = isErrorCode(given)
    ? given
    : (REQUEST_CODES[String(given)] ?? 'INTERNAL_SERVER_ERROR');
  const agency =
    typeof ext['agency'] === 'string'
      ? ext['agency']
      : typeof ext['serviceName'] === 'string'
        ? ext['serviceName']
        : undefined;
  const extensions: Record<string, unknown> = { code };
  if (agency !== undefined) extensions['agency'] = agency;
  if (typeof ext['status'] === 'number') extensions['status'] = ext['status'];
  const message =
    code === 'INTERNAL_SERVER_ERROR' && !isErrorCode(given) && given !== undefined
      ? 'Internal error'
      : formatted.message;
  const out: GraphQLFormattedError = { message, extensions };
  if (formatted.locations) (out as { locations?: unknown }).locations = formatted.locations;
  if (formatted.path) (out as { path?: unknown }).path = formatted.path;
  return out;
}
