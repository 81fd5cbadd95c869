import type { ApolloServerPlugin } from '@apollo/server';
import {
  type ASTVisitor,
  type FloatValueNode,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  getNamedType,
  type IntValueNode,
  isInterfaceType,
  isObjectType,
  type ValidationContext,
} from 'graphql';
import { type ErrorCode, isErrorCode } from '../../kit/errors.ts';

/**
 * Apollo's request-level codes, mapped onto our closed vocabulary. `PERSISTED_QUERY_NOT_FOUND` is in
 * the vocabulary itself and passes unchanged: APQ clients resend the full query only on that code.
 */
const REQUEST_CODES: Record<string, ErrorCode> = {
  GRAPHQL_PARSE_FAILED: 'BAD_USER_INPUT',
  GRAPHQL_VALIDATION_FAILED: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_USER_INPUT',
  INVALID_GRAPHQL: 'BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_SUPPORTED: 'BAD_USER_INPUT',
};

/** Codes that mean "the request itself is wrong": answered with HTTP 400 when nothing was executed. */
const CLIENT_CODES: ReadonlySet<string> = new Set<ErrorCode>(['BAD_USER_INPUT']);

/** Longest piece of client input (a string literal, an operation name, …) an error message quotes. */
export const QUOTE_MAX = 80;
/**
 * An unquoted run of more non-space characters than this is a huge input too (a number literal, a
 * URL built from one): cut to QUOTE_MAX. Shorter runs stay whole, so a snapshot-miss message keeps
 * the agency URL a developer needs to record.
 */
const TOKEN_MAX = 500;
/** Longest error message sent. */
const MESSAGE_MAX = 1000;

/** `text` cut to its first `max` characters plus "…" when longer (never inside a surrogate pair). */
export function shorten(text: string, max = QUOTE_MAX): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * A message with every quoted piece longer than QUOTE_MAX, and every unquoted run longer than
 * TOKEN_MAX, cut to a short prefix: a 1 MB string literal or operation name is echoed as 80
 * characters and "…", not 1 MB. One linear pass that stops once MESSAGE_MAX is reached (no regex
 * over client input, whose backtracking could cost more than the request).
 */
export function shortenMessage(message: string): string {
  const n = message.length;
  const isSpace = (c: string | undefined) => c === ' ' || c === '\n' || c === '\t' || c === '\r';
  let out = '';
  let i = 0;
  while (i < n && out.length <= MESSAGE_MAX) {
    if (message[i] === '"') {
      let j = i + 1;
      while (j < n && message[j] !== '"') j += message[j] === '\\' ? 2 : 1;
      out += `"${shorten(message.slice(i + 1, Math.min(j, n)))}${j < n ? '"' : ''}`;
      i = j + 1;
    } else if (isSpace(message[i])) {
      out += message[i];
      i++;
    } else {
      let j = i;
      while (j < n && message[j] !== '"' && !isSpace(message[j])) j++;
      const run = message.slice(i, j);
      out += run.length > TOKEN_MAX ? shorten(run) : run;
      i = j;
    }
  }
  return shorten(out, MESSAGE_MAX);
}

/** HTTP status Apollo attached to a request-level error (e.g. 400 for a hash that does not match). */
function httpStatusOf(error: unknown): number | undefined {
  const http = error instanceof GraphQLError ? error.extensions['http'] : undefined;
  const status =
    typeof http === 'object' && http !== null ? (http as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Every error leaving the gateway carries `extensions.code` from the fixed set and, where an agency
 * was involved, `extensions.agency`. A code already set is never overwritten; other keys are dropped
 * (no stack traces, no upstream bodies, no ad-hoc keys). Messages quote at most a short prefix of a
 * huge input. An error without a code of ours that Apollo answers with a 4xx status (a persisted
 * query hash that does not match its query, …) is the client's: BAD_USER_INPUT, not an internal error.
 */
export function formatError(formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError {
  const ext = formatted.extensions ?? {};
  const given = ext['code'];
  const status = httpStatusOf(error);
  const code: ErrorCode =
    given === 'INTERNAL_SERVER_ERROR' && status !== undefined && status >= 400 && status < 500
      ? 'BAD_USER_INPUT'
      : isErrorCode(given)
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
  // What a refused or throttled client needs to act on: the cost and limits, when to retry.
  for (const key of ['cost', 'limit', 'calls', 'paths', 'retryAfter'] as const) {
    if (ext[key] !== undefined) extensions[key] = ext[key];
  }
  const message =
    code === 'INTERNAL_SERVER_ERROR' && !isErrorCode(given) && given !== undefined
      ? 'Internal error'
      : shortenMessage(formatted.message);
  const out: GraphQLFormattedError = { message, extensions };
  if (formatted.locations) (out as { locations?: unknown }).locations = formatted.locations;
  if (formatted.path) (out as { path?: unknown }).path = formatted.path;
  return out;
}

/** A request-level client error: `BAD_USER_INPUT` answered with HTTP 400. */
function clientError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

/**
 * A validation rule: a number literal in a Float position must be finite. graphql-js (16) accepts
 * `withinKm: 1e400` as Infinity and the gateway then fails while planning (HTTP 500); Int literals
 * beyond 32 bits are already refused by graphql-js itself.
 */
export function finiteNumbers(context: ValidationContext): ASTVisitor {
  const visit = (node: FloatValueNode | IntValueNode) => {
    const type = context.getInputType();
    if (type && getNamedType(type).name === 'Float' && !Number.isFinite(Number(node.value))) {
      context.reportError(
        new GraphQLError(
          `Float literal ${shorten(node.value)} is out of range: a Float is a finite number (at most about 1.8e308).`,
          { nodes: node },
        ),
      );
    }
  };
  return {
    FloatValue: visit,
    IntValue: visit,
  };
}

/** How many names `withWhatIsAllowed` lists before it says how many more there are. */
const MAX_LISTED = 40;

const listNames = (names: string[]) =>
  names.length <= MAX_LISTED
    ? names.join(', ')
    : `${names.slice(0, MAX_LISTED).join(', ')}, … (${names.length} in all)`;

/**
 * graphql-js names the close matches of an unknown field or argument ("Did you mean …?") but, when
 * none is close, not what there is. Completes such a message with the type's fields or the field's
 * arguments (deprecated ones left out, as the explorer leaves them), so that a team without the
 * explorer at hand sees what it may ask. Any other message is returned as it is.
 */
export function withWhatIsAllowed(message: string, schema: GraphQLSchema): string {
  const field = /^Cannot query field "[^"]+" on type "([^"]+)"\.$/.exec(message);
  if (field) {
    const type = schema.getType(field[1]!);
    if (!isObjectType(type) && !isInterfaceType(type)) return message;
    const names = Object.values(type.getFields())
      .filter((f) => !f.deprecationReason)
      .map((f) => f.name);
    return `${message} The fields of "${type.name}" are: ${listNames(names)}.`;
  }
  const argument = /^Unknown argument "[^"]+" on field "([^".]+)\.([^"]+)"\.$/.exec(message);
  if (argument) {
    const type = schema.getType(argument[1]!);
    const def = isObjectType(type) || isInterfaceType(type) ? type.getFields()[argument[2]!] : undefined;
    if (!def) return message;
    const names = def.args.filter((a) => !a.deprecationReason).map((a) => a.name);
    const deprecated = def.args.filter((a) => a.deprecationReason).map((a) => a.name);
    return names.length === 0
      ? `${message} "${argument[1]}.${argument[2]}" takes no arguments${deprecated.length ? ` (${listNames(deprecated)}: deprecated)` : ''}.`
      : `${message} The arguments of "${argument[1]}.${argument[2]}" are: ${listNames(names)}.`;
  }
  return message;
}

/**
 * Refuses, before anything runs, an operation the gateway cannot select or execute: an unknown
 * `operationName`, several operations without one, or a mutation or subscription (this graph has
 * neither: it is read-only). Apollo Gateway would otherwise throw while executing (HTTP 500). Any
 * other request-level error that reaches the client only as BAD_USER_INPUT, without data, is
 * answered with HTTP 400 instead of 500; an unknown field or argument with no close match is told
 * what there is (`withWhatIsAllowed`).
 */
export function clientErrorsPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, document }) {
          if (!operation) {
            const names = document.definitions.flatMap((d) =>
              d.kind === 'OperationDefinition' ? [d.name ? `"${shorten(d.name.value)}"` : '(anonymous)'] : [],
            );
            const listed = names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : '');
            if (request.operationName)
              throw clientError(
                `Unknown operation named "${shorten(request.operationName)}"; the document has ${names.length === 0 ? 'no operation' : listed}.`,
              );
            throw clientError(
              names.length === 0
                ? 'The document has no operation to run.'
                : `The document has ${names.length} operations (${listed}): name the one to run in "operationName".`,
            );
          }
          if (operation.operation !== 'query')
            throw clientError(
              `This graph is read-only: it has no ${operation.operation === 'mutation' ? 'mutations' : 'subscriptions'} (its schema defines queries only). Send a query.`,
            );
        },
        async willSendResponse({ response, schema }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.errors && result.data === undefined)
            result.errors = result.errors.map((e) => {
              const message = withWhatIsAllowed(e.message, schema);
              return message === e.message ? e : { ...e, message };
            });
          const { data, errors } = result;
          if (data !== undefined || !errors?.length) return;
          if (response.http.status !== undefined && response.http.status < 500) return;
          if (errors.every((e) => CLIENT_CODES.has(String(e.extensions?.['code']))))
            response.http.status = 400;
        },
      };
    },
  };
}
