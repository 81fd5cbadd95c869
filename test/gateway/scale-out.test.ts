/**
 * Scale-out, proven with real processes: three gateway replicas (`node --import tsx gateway/src/main.ts`, offline
 * mode, so every agency is its simulator) on one real Redis (127.0.0.1:6379).
 *
 * - The same data asked through all three costs one upstream call (the shared cache).
 * - SCB's published limit (30 calls per 10 s, read from its /config) holds across the three
 *   under concurrent load (the shared sliding-window log in Redis).
 * - A replica killed with SIGKILL mid-load loses no request that the client retries on another one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedis, redisUrl } from '../helpers/services.ts';
import { freePort } from './ports.ts';

const REDIS_DB = 14;
const REDIS = redisUrl(REDIS_DB);
const PREFIX = `scale${process.pid}`;

interface Replica {
  url: string;
  child: ChildProcess;
  stderr: () => string;
}

async function startReplica(): Promise<Replica> {
  const port = await freePort();
  // One process per replica (tsx as a loader, not its CLI, which would run the gateway in a child
  // process that a SIGKILL of the CLI leaves running).
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/main.ts'], {
    env: {
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      UPSTREAM_MODE: 'offline',
      CACHE_URL: REDIS,
      CACHE_PREFIX: PREFIX,
      LOG_LEVEL: 'info',
      CLIENT_REQUESTS_PER_MINUTE: '0',
      CLIENT_COST_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const deadline = Date.now() + 90_000;
  while (!stderr.includes('gateway ready')) {
    if (child.exitCode !== null) throw new Error(`replica exited: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`replica did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url: `http://127.0.0.1:${port}`, child, stderr: () => stderr };
}

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  extensions?: { upstream?: { calls: number; cacheHits: number } };
}

async function ask(replica: Replica, query: string): Promise<Answer> {
  const res = await fetch(`${replica.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-upstream-stats': '1' },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as Answer;
}

describe.skipIf(!hasRedis())('three replicas on one Redis', { timeout: 180_000 }, () => {
  const redis = createClient({ url: REDIS });
  let replicas: Replica[] = [];

  beforeAll(async () => {
    await redis.connect();
    await redis.flushDb();
    replicas = await Promise.all([startReplica(), startReplica(), startReplica()]);
  }, 120_000);

  afterAll(async () => {
    for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await redis.flushDb();
    await redis.quit();
  });

  it('the same data asked through all three replicas costs one upstream call', async () => {
    const query = '{ municipality(code: "2480") { name population(year: 2023) } }';
    const answers: Answer[] = [];
    for (const r of replicas) answers.push(await ask(r, query));
    for (const a of answers) expect(a.errors).toBeUndefined();
    expect(new Set(answers.map((a) => JSON.stringify(a.data))).size).toBe(1);
    const calls = answers.map((a) => a.extensions?.upstream?.calls ?? 0);
    expect(calls[0]).toBeGreaterThan(0);
    expect(calls.slice(1)).toEqual([0, 0]);
  });

  it("SCB's 30 calls per 10 s hold across the three replicas under concurrent load", async () => {
    {
      // The limiter's log in Redis keeps only the current window: read it while the load runs.
      const key = `${PREFIX}:ratelimit:scb:offline`;
      const granted = new Map<string, number>();
      let loading = true;
      const watcher = (async () => {
        while (loading) {
          for (const e of await redis.zRangeWithScores(key, 0, -1)) granted.set(e.value, e.score);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        for (const e of await redis.zRangeWithScores(key, 0, -1)) granted.set(e.value, e.score);
      })();
      // 45 distinct table searches (one SCB call each), spread over the replicas at once.
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 45 }, (_, i) =>
          ask(replicas[i % 3]!, `{ statisticsTables(search: "befolkning ${i}", pageSize: 1) { id } }`),
        ),
      );
      const elapsed = Date.now() - started;
      loading = false;
      await watcher;
      for (const a of answers) expect(a.errors).toBeUndefined();
      const calls = answers.reduce((n, a) => n + (a.extensions?.upstream?.calls ?? 0), 0);
      expect(calls).toBeGreaterThanOrEqual(45);
      // More than one window's worth of calls: the load had to wait for the second window.
      expect(granted.size).toBeGreaterThan(30);
      expect(elapsed).toBeGreaterThanOrEqual(9_000);
      const stamps = [...granted.values()].sort((a, b) => a - b);
      let busiest = 0;
      for (let i = 0; i < stamps.length; i++) {
        let j = i;
        while (j < stamps.length && stamps[j]! - stamps[i]! < 10_000) j++;
        busiest = Math.max(busiest, j - i);
      }
      expect(busiest).toBeLessThanOrEqual(30);
    }
  });

  it('a replica killed mid-load loses no request that the client retries on another replica', async () => {
    const query = '{ county(code: "01") { name municipalities { code } } }';
    let next = 0;
    const alive = () => replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
    /** A client that sends to replicas in turn and retries a failed connection on the next one. */
    async function request(): Promise<{ answer: Answer; retries: number }> {
      const failures: unknown[] = [];
      const first = next++;
      for (let attempt = 0; attempt < 3; attempt++) {
        const r = replicas[(first + attempt) % replicas.length]!;
        try {
          return { answer: await ask(r, query), retries: attempt };
        } catch (err) {
          // connection refused or reset: try the next replica
          failures.push((err as Error).cause ?? err);
        }
      }
      throw new Error(`three replicas failed in a row: ${failures.map(String).join('; ')}`);
    }
    const results: Array<{ answer: Answer; retries: number }> = [];
    let killed = false;
    const load = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 40; i++) {
        results.push(await request());
        if (!killed && results.length === 40) {
          killed = true;
          replicas[1]!.child.kill('SIGKILL');
        }
      }
    });
    await Promise.all(load);
    expect(killed).toBe(true);
    expect(alive()).toHaveLength(2);
    expect(results).toHaveLength(160);
    for (const { answer } of results) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toMatchObject({ county: { name: 'Stockholms län' } });
    }
    // Requests that met the dead replica were retried, and all of them were answered.
    expect(results.some((r) => r.retries > 0)).toBe(true);
  });
});
