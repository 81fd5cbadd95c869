/**
 * The gateway as a real process (`node --import tsx gateway/src/main.ts`): start-up validation and graceful shutdown.
 * The child gets a minimal environment, so nothing from the developer's shell leaks in.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hasRedis, redisUrl } from '../helpers/services.ts';
import { freePort, isListening } from './ports.ts';

/** Loading every subgraph through tsx takes seconds, more on a busy CI runner. */
const PROCESS_TIMEOUT_MS = 60_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function startGateway(
  env: Record<string, string>,
  nodeEnv = 'test',
): {
  child: ChildProcess;
  exit: Promise<Exit>;
  stderr: () => string;
} {
  // tsx as a loader in this one process (its CLI would run the gateway in a child process, which
  // a SIGKILL of the CLI leaves running).
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/main.ts'], {
    env: { NODE_ENV: nodeEnv, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exit = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, exit, stderr: () => stderr };
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 50_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('start-up with a bad configuration', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('exits with code 2 and names each bad variable and what is allowed', async () => {
    const { exit } = startGateway({ PORT: 'abc', UPSTREAM_MODE: 'foo' });
    const result = await exit;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PORT="abc" is not allowed; expected an integer from 0 to 65535.');
    expect(result.stderr).toContain(
      'UPSTREAM_MODE="foo" is not allowed; expected one of "live", "offline", "snapshot", "record".',
    );
  });

  it('a missing supergraph file is refused the same way, naming SUPERGRAPH_FILE', async () => {
    const result = await startGateway({ SUPERGRAPH_FILE: 'schema/no-such-supergraph.graphql' }).exit;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'SUPERGRAPH_FILE="schema/no-such-supergraph.graphql" cannot be read (ENOENT); expected a composed supergraph: run "npm run compose"',
    );
  });

  it('a port out of range is refused the same way', async () => {
    const result = await startGateway({ PORT: '70000' }).exit;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/PORT="70000" is not allowed; expected an integer from 0 to 65535/);
  });
});

describe('graceful shutdown', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s: serves until then, exits 0 and frees the port',
    async (signal) => {
      const port = await freePort();
      const gateway = startGateway({ PORT: String(port), HOST: '127.0.0.1', UPSTREAM_MODE: 'snapshot' });
      try {
        await waitFor(() => gateway.stderr().includes('gateway ready'), 'the gateway to start');
        const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ municipality(code: "0180") { name } }' }),
        });
        expect(await res.json()).toMatchObject({ data: { municipality: { name: 'Stockholm' } } });
        gateway.child.kill(signal);
        const result = await gateway.exit;
        expect(result).toMatchObject({ code: 0, signal: null });
        expect(result.stderr).toContain('shutting down: draining requests');
        expect(await isListening(port)).toBe(false);
      } finally {
        if (gateway.child.exitCode === null && gateway.child.signalCode === null)
          gateway.child.kill('SIGKILL');
      }
    },
  );
});

describe.skipIf(!hasRedis())(
  'graceful shutdown with Redis, as in production',
  { timeout: PROCESS_TIMEOUT_MS },
  () => {
    // NODE_ENV=production: Apollo Server installs its own signal handlers outside tests, and those
    // raced ours (shutdown then took 15 s and exited 1 with a Redis connection open).
    it('SIGTERM drains, closes Redis and exits 0 well within the 10 s drain time', async () => {
      const port = await freePort();
      const gateway = startGateway(
        {
          PORT: String(port),
          HOST: '127.0.0.1',
          UPSTREAM_MODE: 'offline',
          CACHE_URL: redisUrl(12),
        },
        'production',
      );
      try {
        await waitFor(() => gateway.stderr().includes('gateway ready'), 'the gateway to start');
        const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ municipality(code: "0180") { name population(year: 2024) } }' }),
        });
        expect(await res.json()).toMatchObject({ data: { municipality: { name: 'Stockholm' } } });
        const started = Date.now();
        gateway.child.kill('SIGTERM');
        const result = await gateway.exit;
        const tookMs = Date.now() - started;
        expect(result).toMatchObject({ code: 0, signal: null });
        expect(tookMs).toBeLessThan(10_000);
        expect(await isListening(port)).toBe(false);
      } finally {
        if (gateway.child.exitCode === null && gateway.child.signalCode === null)
          gateway.child.kill('SIGKILL');
      }
    });
  },
);

describe('live mode on a machine that cannot reach the agencies', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('says so within seconds of starting and suggests npm run demo', async () => {
    const port = await freePort();
    // Every agency URL points at a port where nothing listens: what a machine without internet sees.
    const closed = `http://127.0.0.1:${await freePort()}`;
    const agencies = Object.fromEntries(
      [
        'SMHI_FORECAST_URL',
        'SMHI_METOBS_URL',
        'SMHI_WARNINGS_URL',
        'SCB_API_URL',
        'JOBTECH_SEARCH_URL',
        'SGU_API_URL',
        'LM_API_URL',
        'LM_TOKEN_URL',
        'DATAPORTAL_API_URL',
      ].map((name) => [name, `${closed}/${name.toLowerCase()}`]),
    );
    const gateway = startGateway({
      PORT: String(port),
      HOST: '127.0.0.1',
      UPSTREAM_MODE: 'live',
      ...agencies,
    });
    try {
      await waitFor(() => gateway.stderr().includes('gateway ready'), 'the gateway to start');
      const ready = Date.now();
      await waitFor(() => gateway.stderr().includes('npm run demo'), 'the warning', 10_000);
      expect(Date.now() - ready).toBeLessThan(10_000);
      const line = gateway
        .stderr()
        .split('\n')
        .find((l) => l.includes('npm run demo'))!;
      expect(JSON.parse(line)).toMatchObject({ level: 'warn', unreachable: [closed] });
    } finally {
      gateway.child.kill('SIGKILL');
    }
  });
});
