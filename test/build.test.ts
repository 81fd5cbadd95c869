/**
 * The compiled build: `npm run build` (scripts/build.mjs) makes dist/, and plain `node` runs the
 * gateway from it (what `npm start`, `npm run demo` and the container run), serving the README
 * query offline, the explorer and its assets.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlags } from '../bench/start-command.ts';
import { freePort } from './gateway/ports.ts';
import { README_QUERY } from './helpers/readme-query.ts';
import { hasRedis, redisUrl } from './helpers/services.ts';

/** The compiled gateway started as `npm start` starts it (its V8 flags), offline, in `cwd`. */
interface CompiledGateway {
  child: ChildProcess;
  url: string;
  /** What it wrote to stderr so far (its log lines). */
  stderr: string;
}

/** Starts `node <npm start's flags> dist/gateway/src/main.js --offline` and waits until it says it is ready. */
async function startCompiled(
  name: string,
  cwd: string,
  env: Record<string, string>,
): Promise<CompiledGateway> {
  const port = await freePort();
  // With `npm start`'s V8 flags, so that a Node that no longer takes one fails here.
  const child = spawn(
    process.execPath,
    [...startFlags(process.cwd()), 'dist/gateway/src/main.js', '--offline'],
    {
      cwd,
      env: { PORT: String(port), HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const gw: CompiledGateway = { child, url: `http://127.0.0.1:${port}`, stderr: '' };
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    gw.stderr += chunk;
  });
  const deadline = Date.now() + 60_000;
  while (!gw.stderr.includes('gateway ready')) {
    if (child.exitCode !== null) throw new Error(`the ${name} gateway exited: ${gw.stderr}`);
    if (Date.now() > deadline) throw new Error(`the ${name} gateway did not start: ${gw.stderr}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  return gw;
}

/** The README query's answer from a started gateway. */
async function readmeQuery(url: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: README_QUERY }),
  });
  return (await res.json()) as {
    data: { municipality: { name: string; county: { name: string }; forecast: unknown[] } };
    errors?: unknown;
    extensions: { offline: { mode: string } };
  };
}

describe('node dist/gateway/src/main.js', { timeout: 120_000 }, () => {
  let gw: CompiledGateway;

  beforeAll(async () => {
    // Builds only if a source file is newer than dist/ (npm ci has built it already).
    execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'pipe' });
    expect(existsSync('dist/gateway/src/main.js')).toBe(true);
    // NODE_DEBUG_NATIVE: Node says whether the compile cache held the bundle's compilation.
    gw = await startCompiled('compiled', process.cwd(), {
      NODE_ENV: 'production',
      NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
    });
  }, 120_000);

  afterAll(() => {
    gw?.child.kill('SIGTERM');
  });

  it('starts in offline mode with --offline, whatever UPSTREAM_MODE says', () => {
    expect(gw.stderr).toContain('"mode":"offline"');
  });

  it("loads the bundle, whose compilation the build left in dist/.compile-cache with npm start's flags", () => {
    expect(existsSync('dist/gateway/src/run.bundle.js')).toBe(true);
    expect(readdirSync('dist/.compile-cache').length).toBeGreaterThan(0);
    expect(gw.stderr).toMatch(
      /reading cache from \S*dist\/\.compile-cache\/\S+ for ESM \S+\/run\.bundle\.js/,
    );
    expect(gw.stderr).toMatch(/cache for ESM \S+\/run\.bundle\.js was accepted/);
  });

  it('is ASCII only: its source text stays in memory, and a two-byte one took twice the room', () => {
    expect(readFileSync('dist/gateway/src/run.bundle.js', 'utf8')).toMatch(/^[\t\n\r -~]*$/);
  });

  it("maps the bundle's lines back to the TypeScript with --enable-source-maps", () => {
    const bundle = readFileSync('dist/gateway/src/run.bundle.js', 'utf8').split('\n');
    const line = bundle.indexOf('// kit/config.js');
    expect(line).toBeGreaterThan(0);
    const script = `import { findSourceMap } from 'node:module';
      const url = ${JSON.stringify(pathToFileURL(resolve('dist/gateway/src/run.bundle.js')).href)};
      await import(url);
      console.log(findSourceMap(url).findEntry(${line + 5}, 4).originalSource);`;
    const found = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(found.stdout.trim()).toBe(pathToFileURL(resolve('kit/config.ts')).href);
  });

  it('serves the README query offline', async () => {
    const body = await readmeQuery(gw.url);
    expect(body.errors).toBeUndefined();
    expect(body.data.municipality.name).toBe('Stockholm');
    expect(body.data.municipality.county.name).toBe('Stockholms län');
    expect(body.data.municipality.forecast).toHaveLength(3);
    expect(body.extensions.offline.mode).toBe('offline');
  });

  it("reports the process's own memory, heap, event-loop and GC figures in /metrics", async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const value = (name: string) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
    // The same process's resident memory, as the kernel counts it: between 20 MB and 4 GB.
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(20e6);
    expect(value('process_resident_memory_bytes')).toBeLessThan(4e9);
    expect(value('nodejs_heap_size_used_bytes')).toBeGreaterThan(1e6);
    expect(text).toMatch(/^nodejs_heap_space_size_used_bytes\{space="old"\} \d+/m);
    expect(text).toContain('# TYPE nodejs_eventloop_lag_p99_seconds gauge');
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
    // The gateway's own metrics are in the same registry.
    expect(text).toContain('# TYPE gateway_requests_total counter');
  });

  it('serves the explorer and its assets (copied into dist/ by the build)', async () => {
    const page = await fetch(`${gw.url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const script = await fetch(`${gw.url}/explorer/assets/explorer.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('createFetcher');
  });
});

/**
 * The gateway's single-file bundle (dist/gateway/src/run.bundle.js, scripts/build.mjs): dist/ copied
 * elsewhere with every other compiled module deleted, so that only main.js and the bundle can run.
 * Our modules' files (schemas, data, the explorer) must then be found next to where their modules
 * were, from the bundle's new place; and the OpenTelemetry SDK, which the bundle requires from
 * node_modules only when tracing is on, must load and export spans.
 */
describe('the bundled gateway, moved, with no other compiled module', { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'bundle-'));
  let gw: CompiledGateway;
  const exports: string[] = [];
  const prefix = `bundle-test-${process.pid}-${Date.now()}`;
  let collector: Server | undefined;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'pipe' });
    cpSync('dist', join(root, 'dist'), { recursive: true });
    symlinkSync(resolve('node_modules'), join(root, 'node_modules'), 'dir');
    // What the container has beside dist/ (read relative to the working directory).
    cpSync('schema', join(root, 'schema'), { recursive: true });
    const keep = new Set([
      join(root, 'dist/gateway/src/main.js'),
      join(root, 'dist/gateway/src/run.bundle.js'),
    ]);
    const compiled = readdirSync(join(root, 'dist'), { recursive: true, encoding: 'utf8' })
      .map((f) => join(root, 'dist', f))
      // Compiled modules have tsc's source map beside them; the explorer's own scripts are assets.
      .filter((f) => f.endsWith('.js') && existsSync(`${f}.map`) && !keep.has(f));
    expect(compiled.length).toBeGreaterThan(100);
    for (const f of compiled) rmSync(f);

    // A stand-in OTLP/HTTP collector: keeps the bodies posted to /v1/traces.
    collector = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        if (req.url === '/v1/traces') exports.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((done) => collector!.listen(0, '127.0.0.1', done));
    const collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

    gw = await startCompiled('bundled', root, {
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_SERVICE_NAME: 'bundle-test',
      // @keyv/redis, like the SDK, comes from node_modules and meets the bundle's Keyv.
      ...(hasRedis() ? { CACHE_URL: redisUrl(), CACHE_PREFIX: prefix } : {}),
    });
  }, 120_000);

  afterAll(async () => {
    gw?.child.kill('SIGKILL');
    collector?.close();
    rmSync(root, { recursive: true, force: true });
    if (!hasRedis()) return;
    const redis = createClient({ url: redisUrl() });
    await redis.connect();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(keys);
    await redis.quit();
  });

  it('serves the README query, the explorer and its assets', async () => {
    const body = await readmeQuery(gw.url);
    expect(body.errors).toBeUndefined();
    expect(body.data.municipality.county.name).toBe('Stockholms län');
    expect(body.data.municipality.forecast).toHaveLength(3);
    expect((await fetch(`${gw.url}/`, { headers: { accept: 'text/html' } })).status).toBe(200);
    expect(await (await fetch(`${gw.url}/explorer/assets/explorer.js`)).text()).toContain('createFetcher');
  });

  it.skipIf(!hasRedis())('keeps its caches in Redis with CACHE_URL', async () => {
    const query = '{ municipality(code: "1480") { name currentWeather { airTemperature } } }';
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();
    }
    const redis = createClient({ url: redisUrl() });
    await redis.connect();
    try {
      expect((await redis.keys(`${prefix}:*`)).length).toBeGreaterThan(0);
    } finally {
      await redis.quit();
    }
  });

  it('says no word of a deprecated module (whatwg-url stays outside the bundle)', () => {
    expect(gw.stderr).not.toContain('DeprecationWarning');
  });

  it("exports the request's spans to the OTLP endpoint (the SDK required from node_modules)", async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ municipality(code: "0180") { name } }' }),
    });
    expect(res.status).toBe(200);
    // SIGTERM: the gateway drains, and the telemetry's shutdown exports the spans still batched.
    const exited = new Promise((done) => gw.child.once('exit', done));
    gw.child.kill('SIGTERM');
    await exited;
    const sent = exports.join('\n');
    expect(sent).toContain('bundle-test');
    expect(sent).toContain('gateway.request');
  });
});

/**
 * scripts/build.mjs in a scratch project of one module, with this repository's TypeScript: a build
 * replaces dist/ only once it is complete, so a build that fails keeps the last good dist/.
 */
describe('scripts/build.mjs replaces dist/ only with a complete build', { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'build-'));
  const run = () => spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });

  beforeAll(() => {
    mkdirSync(join(root, 'scripts'));
    mkdirSync(join(root, 'gateway', 'src'), { recursive: true });
    copyFileSync('scripts/build.mjs', join(root, 'scripts', 'build.mjs'));
    symlinkSync(resolve('node_modules'), join(root, 'node_modules'), 'dir');
    writeFileSync(
      join(root, 'tsconfig.build.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, outDir: 'dist', rootDir: '.' },
        include: ['gateway'],
      }),
    );
    writeFileSync(join(root, 'gateway', 'data.json'), '{"asset":true}');
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds into dist/ and leaves no staging directory', () => {
    writeFileSync(join(root, 'gateway', 'src', 'main.ts'), 'export const version: number = 1;\n');
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(readFileSync(join(root, 'dist', 'gateway', 'src', 'main.js'), 'utf8')).toContain('version = 1');
    expect(existsSync(join(root, 'dist', 'gateway', 'data.json'))).toBe(true);
    expect(readdirSync(root).filter((f) => f.startsWith('dist'))).toEqual(['dist']);
  });

  it('keeps the last good dist/ when TypeScript reports an error, and says so', () => {
    writeFileSync(join(root, 'gateway', 'src', 'main.ts'), 'export const version: number = "two";\n');
    const failed = run();
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('the previous dist/ is kept');
    expect(readFileSync(join(root, 'dist', 'gateway', 'src', 'main.js'), 'utf8')).toContain('version = 1');
    expect(readdirSync(root).filter((f) => f.startsWith('dist'))).toEqual(['dist']);
  });

  it('--is-fresh says whether dist/ is up to date, building nothing', () => {
    const isFresh = () =>
      spawnSync(process.execPath, ['scripts/build.mjs', '--is-fresh'], { cwd: root, encoding: 'utf8' });
    writeFileSync(join(root, 'gateway', 'src', 'main.ts'), 'export const version: number = 2;\n');
    expect(isFresh().status).toBe(1);
    expect(run().status).toBe(0);
    expect(isFresh().status).toBe(0);
    // The build script is an input of the build too.
    const later = new Date(Date.now() + 2_000);
    utimesSync(join(root, 'scripts', 'build.mjs'), later, later);
    const stale = isFresh();
    expect(stale.status).toBe(1);
    expect(stale.stdout + stale.stderr).toBe('');
    expect(readFileSync(join(root, 'dist', 'gateway', 'src', 'main.js'), 'utf8')).toContain('version = 2');
  });

  it('replaces dist/ whole on the next good build (no file of the old build is left)', () => {
    writeFileSync(join(root, 'dist', 'gateway', 'src', 'stale.js'), 'left over');
    writeFileSync(join(root, 'gateway', 'src', 'main.ts'), 'export const version: number = 3;\n');
    const next = run();
    expect(next.status, next.stderr).toBe(0);
    expect(readFileSync(join(root, 'dist', 'gateway', 'src', 'main.js'), 'utf8')).toContain('version = 3');
    expect(existsSync(join(root, 'dist', 'gateway', 'src', 'stale.js'))).toBe(false);
  });
  it('bundles gateway/src/run.ts into run.bundle.js, each module keeping its own import.meta.url', () => {
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }');
    mkdirSync(join(root, 'gateway', 'lib'));
    writeFileSync(
      join(root, 'gateway', 'lib', 'where.ts'),
      "export const here: string = new URL('.', import.meta.url).href;\n",
    );
    writeFileSync(join(root, 'gateway', 'src', 'run.ts'), "export { here } from '../lib/where.js';\n");
    const built = run();
    expect(built.status, built.stderr).toBe(0);
    const loaded = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "console.log((await import('./dist/gateway/src/run.bundle.js')).here)"],
      { cwd: root, encoding: 'utf8' },
    );
    // where.js's directory, not the bundle's
    expect(loaded.stdout.trim()).toBe(pathToFileURL(join(root, 'dist', 'gateway', 'lib', '/')).href);
  });

  it('writes the bundle in ASCII, escaping what comments and regular expressions kept, to the same effect', () => {
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }');
    writeFileSync(
      join(root, 'gateway', 'src', 'run.ts'),
      [
        '// The county’s name — “län” — and an emoji 😀 in a comment.',
        "export const swedish = (s: string) => /^[åäöÅÄÖ]+$/.test(s) && /(Län|Kommun) – \\d/.test('Län – 1');",
        "export const emoji = (s: string) => /^😀+$/u.test(s) && /^😀$/.test('😀');",
        "export const text = 'Malmö — 😀';",
        '',
      ].join('\n'),
    );
    const built = run();
    expect(built.status, built.stderr).toBe(0);
    const bundle = readFileSync(join(root, 'dist', 'gateway', 'src', 'run.bundle.js'), 'utf8');
    expect(bundle).toMatch(/^[\t\n\r -~]*$/);
    const loaded = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('./dist/gateway/src/run.bundle.js'); console.log(JSON.stringify([m.swedish('åÄö'), m.swedish('ae'), m.emoji('😀😀'), m.emoji('x'), m.text]));",
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(loaded.stderr).toBe('');
    expect(JSON.parse(loaded.stdout)).toEqual([true, false, true, false, 'Malmö — 😀']);
  });

  it('fails the build, keeping the last good dist/, on an import.meta property the bundle cannot rewrite', () => {
    writeFileSync(
      join(root, 'gateway', 'src', 'run.ts'),
      'export const here: string = import.meta.dirname;\n',
    );
    const failed = run();
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('bundling the gateway failed');
    expect(failed.stderr).toContain('import.meta.dirname');
    expect(failed.stderr).toContain('the previous dist/ is kept');
    expect(readFileSync(join(root, 'dist', 'gateway', 'lib', 'where.js'), 'utf8')).toContain(
      'import.meta.url',
    );
    expect(readdirSync(root).filter((f) => f.startsWith('dist'))).toEqual(['dist']);
  });
});
