/** A minimal structured logger: one JSON object per line on stderr. Tests pass `silentLogger`. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Keys whose values are never written, wherever they appear. */
const SECRET_KEYS = /authorization|password|secret|token|api-?key|cookie/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { name: value.name, message: value.message, ...('kind' in value ? { kind: value.kind } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

/**
 * Fields added to every log line written inside `withLogContext` (the request id of the request
 * being served, its trace id), whichever logger writes it: AsyncLocalStorage follows the request
 * through awaits, DataLoader batches and subgraph resolvers without passing anything down.
 */
const logContext = new AsyncLocalStorage<Readonly<Record<string, unknown>>>();

/** Runs `fn` with `fields` added to every log line it writes (nested calls add to the outer fields). */
export function withLogContext<T>(fields: Record<string, unknown>, fn: () => T): T {
  const outer = logContext.getStore();
  return logContext.run(outer ? { ...outer, ...fields } : fields, fn);
}

/** Longest incoming `x-request-id` adopted; a longer or unprintable one is replaced. */
const MAX_REQUEST_ID_LENGTH = 128;

/**
 * The request id of an incoming HTTP request: its `x-request-id` when printable ASCII of at most 128
 * characters, else the trace id of a valid W3C `traceparent`, else a new random UUID.
 */
export function requestIdFrom(headers: Record<string, string | string[] | undefined>): string {
  const given = headers['x-request-id'];
  const id = (Array.isArray(given) ? given[0] : given)?.trim();
  if (id && id.length <= MAX_REQUEST_ID_LENGTH && /^[\x20-\x7e]+$/.test(id)) return id;
  const traceparent = headers['traceparent'];
  const traceId = traceIdOf(Array.isArray(traceparent) ? traceparent[0] : traceparent);
  return traceId ?? randomUUID();
}

/** The trace id of a W3C `traceparent` (version-traceid-parentid-flags), if it is a valid one. */
function traceIdOf(traceparent: string | undefined): string | undefined {
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?$/.exec(traceparent?.trim() ?? '');
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[4] !== undefined)) return undefined;
  if (/^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return undefined;
  return m[2];
}

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const min = ORDER[level];
  const log = (lvl: Exclude<LogLevel, 'silent'>) => (fields: Record<string, unknown>, msg: string) => {
    if (ORDER[lvl] < min) return;
    write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: lvl,
        msg,
        ...logContext.getStore(),
        ...(redact(fields) as object),
      }),
    );
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = createLogger('silent');
