import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { type Dispatcher, errors as undiciErrors } from 'undici';
import { UpstreamError } from './errors.ts';

/**
 * The send stage of an upstream (see `upstream.ts`): one HTTP exchange with the agency. Adds the
 * headers (User-Agent, credentials), keeps its own headers deadline, reads the body as a stream
 * with a size cap, decompresses it off the event loop with the same cap, and parses JSON. Transport
 * failures become typed `UpstreamError`s.
 */

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface SendOptions {
  agency: string;
  dispatcher: Dispatcher;
  userAgent: string;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Largest body, compressed and decompressed alike. */
  maxBodyBytes: number;
  /** Credentials: fixed headers, or a function called per attempt with the attempt's signal. */
  headers?: Record<string, string> | ((signal?: AbortSignal) => Promise<Record<string, string>>) | undefined;
}

export type Send = (
  method: string,
  url: string,
  body: unknown,
  extra: Record<string, string>,
  signal: AbortSignal,
) => Promise<RawResponse>;

export function createSend(options: SendOptions): Send {
  const { agency, dispatcher, userAgent, headersTimeoutMs, bodyTimeoutMs, maxBodyBytes } = options;
  async function authHeaders(signal: AbortSignal): Promise<Record<string, string>> {
    if (!options.headers) return {};
    return typeof options.headers === 'function' ? options.headers(signal) : options.headers;
  }

  /** One HTTP exchange with the live upstream; maps transport failures to UpstreamError. */
  async function sendOnce(
    method: string,
    url: string,
    body: unknown,
    extra: Record<string, string>,
    signal: AbortSignal,
  ): Promise<RawResponse> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'accept-encoding': 'gzip, deflate, br',
      'user-agent': userAgent,
      ...(await authHeaders(signal)),
      ...extra,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Dispatcher.ResponseData;
    // Our own headers deadline: an injected dispatcher (a shared Pool, a MockAgent, a proxy agent)
    // may not honour the per-request `headersTimeout`, and a hung upstream must still time out.
    const headersDeadline = new AbortController();
    const headersTimer = setTimeout(
      () => headersDeadline.abort(new undiciErrors.HeadersTimeoutError()),
      headersTimeoutMs,
    );
    headersTimer.unref();
    const target = new URL(url);
    try {
      res = await dispatcher.request({
        origin: target.origin,
        path: target.pathname + target.search,
        method: method as Dispatcher.HttpMethod,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.any([signal, headersDeadline.signal]),
        headersTimeout: headersTimeoutMs,
        bodyTimeout: bodyTimeoutMs,
      });
    } catch (err) {
      throw transportError(
        agency,
        headersDeadline.signal.aborted ? headersDeadline.signal.reason : err,
        signal,
      );
    } finally {
      clearTimeout(headersTimer);
    }
    const tooLarge = () =>
      new UpstreamError(
        'BAD_PAYLOAD',
        agency,
        `${agency} sent a response larger than ${maxBodyBytes} bytes (UPSTREAM_MAX_BYTES); it was not read`,
        { status: res.statusCode },
      );
    let buffer: Buffer;
    try {
      // Streamed with a cap instead of buffered whole: a huge body stops at the limit.
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > maxBodyBytes) {
          res.body.destroy();
          throw tooLarge();
        }
        chunks.push(chunk as Buffer);
      }
      buffer = Buffer.concat(chunks, size);
    } catch (err) {
      throw transportError(agency, err, signal);
    }
    const responseHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) responseHeaders[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    let text: string;
    try {
      text = await decode(buffer, responseHeaders['content-encoding'], maxBodyBytes);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
      throw new UpstreamError('BAD_PAYLOAD', agency, `${agency} sent a body that could not be decompressed`, {
        status: res.statusCode,
        cause: err,
      });
    }
    let parsed: unknown = text;
    if (text.length > 0 && /json|geo\+json/i.test(responseHeaders['content-type'] ?? 'application/json')) {
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        if (res.statusCode >= 200 && res.statusCode < 300) {
          throw new UpstreamError('BAD_PAYLOAD', agency, `${agency} sent a response that is not valid JSON`, {
            status: res.statusCode,
            cause: err,
          });
        }
      }
    }
    return { status: res.statusCode, headers: responseHeaders, body: parsed };
  }

  return sendOnce;
}

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const gunzipAsync = promisify(gunzip);
const brotliAsync = promisify(brotliDecompress);
const inflateAsync = promisify(inflate);

/**
 * Decompresses on libuv's thread pool (zlib's async API), never on the event loop, and stops at
 * `maxBytes` of output (zlib's `maxOutputLength` fails with ERR_BUFFER_TOO_LARGE).
 */
async function decode(buffer: Buffer, encoding: string | undefined, maxBytes: number): Promise<string> {
  const limit = { maxOutputLength: maxBytes };
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return (await gunzipAsync(buffer, limit)).toString('utf8');
    case 'br':
      return (await brotliAsync(buffer, limit)).toString('utf8');
    case 'deflate':
      return (await inflateAsync(buffer, limit)).toString('utf8');
    default:
      return buffer.toString('utf8');
  }
}

export function transportError(agency: string, err: unknown, signal: AbortSignal): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const e = err as { name?: string; code?: string; message?: string };
  const timeout =
    signal.aborted ||
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    err instanceof undiciErrors.ConnectTimeoutError ||
    e.name === 'TimeoutError' ||
    e.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    e.code === 'UND_ERR_BODY_TIMEOUT' ||
    e.code === 'UND_ERR_CONNECT_TIMEOUT';
  if (timeout)
    return new UpstreamError('TIMEOUT', agency, `${agency} did not answer in time`, { cause: err });
  const tls = typeof e.code === 'string' && /CERT|SSL|TLS|SELF_SIGNED/i.test(e.code);
  return new UpstreamError(
    'CONNECT',
    agency,
    tls
      ? `${agency} presented an invalid TLS certificate; the request was refused`
      : `${agency} could not be reached`,
    { cause: err },
  );
}
