/**
 * The compiled build: `npm run build` (scripts/build.mjs) makes dist/, and plain `node` runs the
 * gateway from it (what `npm start`, `npm run demo` and the container run), serving the README
 * query offline, the explorer and its assets.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './gateway/ports.ts';

const README_QUERY =
  '{ municipality(code: "0180") { name county { name } forecast(hours: 3) { time airTemperature windSpeed } } }';

describe('node dist/gateway/src/main.js', { timeout: 120_000 }, () => {
  let child: ChildProcess | undefined;
  let url = '';
  let stderr = '';

  beforeAll(async () => {
    // Builds only if a source file is newer than dist/ (npm ci has built it already).
    execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'pipe' });
    expect(existsSync('dist/gateway/src/main.js')).toBe(true);
    const port = await freePort();
    child = spawn(process.execPath, ['dist/gateway/src/main.js', '--offline'], {
      env: { PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const deadline = Date.now() + 60_000;
    while (!stderr.includes('gateway ready')) {
      if (child.exitCode !== null) throw new Error(`the compiled gateway exited: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`the compiled gateway did not start: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    url = `http://127.0.0.1:${port}`;
  }, 120_000);

  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('starts in offline mode with --offline, whatever UPSTREAM_MODE says', () => {
    expect(stderr).toContain('"mode":"offline"');
  });

  it('serves the README query offline', async () => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: README_QUERY }),
    });
    const body = (await res.json()) as {
      data: { municipality: { name: string; county: { name: string }; forecast: unknown[] } };
      errors?: unknown;
      extensions: { offline: { mode: string } };
    };
    expect(body.errors).toBeUndefined();
    expect(body.data.municipality.name).toBe('Stockholm');
    expect(body.data.municipality.county.name).toBe('Stockholms län');
    expect(body.data.municipality.forecast).toHaveLength(3);
    expect(body.extensions.offline.mode).toBe('offline');
  });

  it('serves the explorer and its assets (copied into dist/ by the build)', async () => {
    const page = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const script = await fetch(`${url}/explorer/assets/explorer.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('createFetcher');
  });
});
