import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One recorded upstream exchange. Request headers are never stored (they may hold credentials). */
export interface RecordedExchange {
  request: { method: string; url: string; body?: unknown };
  response: { status: number; headers: Record<string, string>; body: unknown };
  recordedAt: string;
  /** Free text: where the body came from, and whether its values are synthetic. */
  note?: string;
}

/** Where recorded responses live; keyed by method + URL (+ body). */
export interface SnapshotStore {
  get(method: string, url: string, body?: unknown): Promise<RecordedExchange | undefined>;
  put(exchange: RecordedExchange): Promise<void>;
}

/** Stable key of a request: method, full URL with its query, and the JSON body if any. */
export function snapshotKey(method: string, url: string, body?: unknown): string {
  const bodyPart = body === undefined ? '' : ` ${stableJson(body)}`;
  return `${method.toUpperCase()} ${url}${bodyPart}`;
}

export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

/** File name of a recording: readable host/path prefix plus a hash of the full key. */
export function snapshotFileName(method: string, url: string, body?: unknown): string {
  const u = new URL(url);
  const readable = `${method.toUpperCase()}_${u.host}${u.pathname}`
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(0, 120);
  const hash = createHash('sha256')
    .update(snapshotKey(method, url, body))
    .digest('hex')
    .slice(0, 16);
  return `${readable}_${hash}.json`;
}

/** A directory of JSON files, one per exchange. */
export function createFileSnapshotStore(dir: string): SnapshotStore {
  return {
    async get(method, url, body) {
      try {
        const text = await readFile(join(dir, snapshotFileName(method, url, body)), 'utf8');
        return JSON.parse(text) as RecordedExchange;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async put(exchange) {
      await mkdir(dir, { recursive: true });
      const { method, url, body } = exchange.request;
      await writeFile(
        join(dir, snapshotFileName(method, url, body)),
        `${JSON.stringify(exchange, null, 2)}\n`,
      );
    },
  };
}
