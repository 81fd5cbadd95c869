/**
 * `npm run bench:compare` in its quickest form (one round of half-second runs of the README query):
 * every target starts, answers the README query as the default gateway does, is measured, and every
 * process the harness started is gone when it ends. No figure is asserted: this machine's speed is
 * not the test's business. About 20–30 s here, most of it starting thirteen processes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The harness runs dist/ as it is (`--no-build`): a build here would race test/build.test.ts's,
 * which rebuilds a stale dist/ while the suite runs. So the test runs only on a build that
 * scripts/build.mjs itself judges fresh (as after `npm ci`), and otherwise says what to run.
 */
const distStale = spawnSync(process.execPath, ['scripts/build.mjs', '--is-fresh']).status !== 0;

const TARGETS = ['limit', 'default', 'nocache', 'http', 'hive', 'hive_rust', 'hive_cached'];
const RATIOS = [
  'default_vs_hive',
  'http_vs_hive',
  'default_vs_limit',
  'default_vs_hive_rust',
  'nocache_vs_hive',
  'nocache_vs_hive_rust',
  'default_vs_hive_cached',
];

interface Report {
  queries: Record<string, Record<string, { rps?: number; p99?: number; correct: boolean; wrong?: number }>>;
  ratios: Record<string, Record<string, number | null>>;
  rss: Record<string, number | null>;
  readyMs: Record<string, number>;
  processes: Record<string, { pid?: number }>;
}

/** Runs the harness as `npm run bench:compare` does (tsx as a loader, so that its pid is the harness's). */
function runHarness(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/compare.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    // The harness kills its children on SIGTERM; a test timeout must not leave it running.
    const timer = setTimeout(() => child.kill('SIGTERM'), 170_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm run bench:compare (one quick round)', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'compare-test-'));
  const out = join(dir, 'compare.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(distStale)(
    'measures every target on the README query with answers equal to the default gateway’s (runs on a fresh dist/: npm run build)',
    async () => {
      const { code, output } = await runHarness([
        '--rounds',
        '1',
        '--duration',
        '0.5',
        '--warmup',
        '0',
        '--queries',
        'readme',
        '--out',
        out,
        // Every target but the default gateway starts at once: the test needs no comparable start-up times.
        '--parallel-start',
        // dist/ as it is: fresh, or the test is skipped (above).
        '--no-build',
      ]);
      expect(code, output).toBe(0);
      const report = JSON.parse(readFileSync(out, 'utf8')) as Report;

      expect(Object.keys(report.queries)).toEqual(['readme']);
      const readme = report.queries['readme']!;
      expect(Object.keys(readme).sort()).toEqual([...TARGETS].sort());
      for (const target of TARGETS) {
        const result = readme[target]!;
        expect(result.correct, `${target}: ${JSON.stringify(result)}`).toBe(true);
        expect(result.wrong).toBe(0);
        expect(typeof result.rps).toBe('number');
        expect(typeof result.p99).toBe('number');
        expect(typeof report.rss[target]).toBe('number');
        expect(typeof report.readyMs[target]).toBe('number');
      }
      expect(Object.keys(report.ratios['readme']!).sort()).toEqual([...RATIOS].sort());
      for (const ratio of RATIOS) expect(typeof report.ratios['readme']![ratio]).toBe('number');

      // Every process it started (the targets and the six subgraph services) has ended with it.
      const pids = Object.values(report.processes).map((p) => p.pid!);
      expect(pids.length).toBeGreaterThanOrEqual(TARGETS.length + 6);
      expect(pids.filter(isRunning)).toEqual([]);
    },
  );

  it('refuses an unknown target, naming it', async () => {
    const { code, output } = await runHarness(['--only', 'default,nginx', '--no-build']);
    expect(code).toBe(2);
    expect(output).toContain('Unknown target "nginx"');
  });
});
