// npm run build: compiles the gateway and the subgraphs to dist/ (tsc -p tsconfig.build.json) and
// copies what the compiled code reads next to its modules (GraphQL schemas, JSON and GeoJSON data,
// the explorer's assets, the examples) to the same relative paths under dist/.
//
//   node scripts/build.mjs             always builds
//   node scripts/build.mjs --if-stale  builds only when a source file is newer than the last build
//                                      (npm start and npm run demo run this first)
//   node scripts/build.mjs --is-fresh  builds nothing; exits 0 when dist/ is up to date, else 1
//
// Plain Node (no tsx), so that it also runs where only production dependencies are installed: there
// it keeps the dist/ that is there, or says what to run.
//
// The new build is written to dist.next/ and takes dist/'s place only once it is complete (two
// renames), so that a failed or interrupted build leaves the last good dist/ as it was, and a
// gateway already running from dist/ keeps its files while a new build compiles.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOTS = ['gateway', 'kit', 'subgraphs', 'schema'];
const SKIP_DIRS = new Set(['node_modules', 'generated']);
const STAMP = join('dist', '.build-stamp');

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) yield* files(path);
    } else yield path;
  }
}

function newestSource() {
  let newest = 0;
  // This script too (how it builds), and package.json (npm start's flags, with which the build fills
  // the compile cache).
  const inputs = [
    ...ROOTS,
    'tsconfig.json',
    'tsconfig.build.json',
    'package-lock.json',
    'package.json',
    'scripts/build.mjs',
  ];
  for (const root of inputs) {
    if (!existsSync(root)) continue;
    if (statSync(root).isFile()) newest = Math.max(newest, statSync(root).mtimeMs);
    else for (const f of files(root)) newest = Math.max(newest, statSync(f).mtimeMs);
  }
  return newest;
}

const fresh = () => existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestSource();
if (process.argv.includes('--is-fresh')) process.exit(fresh() ? 0 : 1);
if (process.argv.includes('--if-stale') && fresh()) process.exit(0);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  if (existsSync(join('dist', 'gateway', 'src', 'main.js'))) {
    console.error(
      'build: TypeScript is not installed (production dependencies only); using the existing dist/.',
    );
    process.exit(0);
  }
  console.error(
    'build: dist/ is missing and TypeScript is not installed: run "npm ci" (with dev dependencies), then "npm run build".',
  );
  process.exit(1);
}

/**
 * Bundles the compiled gateway (`entry`, dist's run.js, and every module it imports, ours and the
 * dependencies') into one ES module with esbuild. Loading ~1 700 separate modules is most of the
 * gateway's start-up: Node resolves each specifier (stat calls, package.json reads) and reads and
 * compiles each file on its own, which one file avoids (time to ready about 0.2 s shorter on this
 * machine). dist/gateway/src/main.js loads the bundle when it is there, and dist's separate modules
 * otherwise; both are built from the same output of tsc.
 *
 * Our modules find the files they read next to themselves through `import.meta.url`, which in a bundle
 * would be the bundle's own URL; each is rewritten to the module's original URL, computed from the
 * bundle's location at run time (so dist/ can move, as in the container). Any other `import.meta`
 * property fails the build rather than pointing at the wrong place. Not minified: a stack trace still
 * names our functions, each module is headed by its dist/ path, and the linked source map (from
 * tsc's own maps; mappings only, 6 MB instead of 22 MB with every source inlined) gives TypeScript
 * files and lines with `node --enable-source-maps`.
 */
async function bundle(entry, outfile) {
  const { build } = await import('esbuild');
  const ownModules = {
    name: 'own-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, (args) => {
        if (/[\\/]node_modules[\\/]/.test(args.path)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        const other = /\bimport\.meta\.(?!url\b)\w+/.exec(text);
        if (other) throw new Error(`${args.path} uses ${other[0]}, which the bundle does not rewrite`);
        const url = relative(dirname(outfile), args.path).split('\\').join('/');
        return {
          contents: text.replace(
            /\bimport\.meta\.url\b/g,
            `new URL(${JSON.stringify(url)}, import.meta.url).href`,
          ),
          loader: 'js',
        };
      });
    },
  };
  const result = await build({
    entryPoints: [resolve(entry)],
    outfile: resolve(outfile),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    sourcemap: 'linked',
    sourcesContent: false,
    plugins: [ownModules],
    // Left in node_modules, required or imported from there at run time:
    // - whatwg-url (node-fetch's, reached through Apollo) requires Node's deprecated `punycode`, and
    //   Node warns about that only for code outside node_modules, as the bundle would be;
    // - what the bundle shares with the packages our code loads itself only when needed (the
    //   OpenTelemetry SDK when tracing is on, @keyv/redis with CACHE_URL): they come from
    //   node_modules, and must meet the same copy of @opentelemetry/api (whose tracer provider
    //   they register; a tracer Apollo Gateway took from a bundled copy would never see it) and of
    //   keyv.
    external: ['whatwg-url', '@opentelemetry/api', 'keyv', '@keyv/redis'],
    // Comments and source map name dist/'s paths (`// kit/cache.js`), not the staging directory's.
    absWorkingDir: resolve(NEXT),
    logLevel: 'silent',
    // The CommonJS dependencies' `require` of Node's built-in modules and of the packages left out
    // above needs a `require` in an ES module.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  for (const warning of result.warnings)
    console.error(`build: esbuild: ${warning.text} (${warning.location?.file ?? ''})`);
  // The bundle's source text stays in memory for as long as the gateway runs (V8 compiles functions
  // lazily and keeps Function.prototype.toString working). esbuild escapes strings but keeps the
  // dependencies' comments and regular expression literals as written: one "’" in a comment made
  // the 11 MB bundle a 22.5 MB two-byte string, and Latin-1 letters ("å" in our regular expressions)
  // still cost more than ASCII (loading the ASCII bundle: 11 MB less external memory and 16 MB less
  // resident memory, measured with Node 24). Every other character is escaped: \uXXXX
  // means the same character in a string, a regular expression or an identifier, and nothing in a
  // comment, the only places where esbuild leaves them; the source map's columns move only after
  // such a character on its line.
  const text = readFileSync(outfile, 'utf8');
  const ascii = text.replace(/[^\t\n\r -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== text) writeFileSync(outfile, ascii);
}

const started = Date.now();
const NEXT = 'dist.next';
const OLD = 'dist.old';
rmSync(NEXT, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', NEXT], { stdio: 'inherit' });
} catch {
  rmSync(NEXT, { recursive: true, force: true });
  console.error(
    `build: TypeScript reported errors (above); ${existsSync('dist') ? 'the previous dist/ is kept' : 'no dist/ was written'}.`,
  );
  process.exit(1);
}
let copied = 0;
for (const root of ROOTS) {
  if (!existsSync(root)) continue;
  for (const path of files(root)) {
    if (/\.(ts|md)$/.test(path)) continue;
    const target = join(NEXT, path);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(path, target);
    copied += 1;
  }
}
// The gateway as one file (see bundle() above), checked to load before it can replace dist/.
const RUN = join(NEXT, 'gateway', 'src', 'run.js');
const BUNDLE = join(NEXT, 'gateway', 'src', 'run.bundle.js');
if (existsSync(RUN)) {
  try {
    await bundle(RUN, BUNDLE);
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(pathToFileURL(BUNDLE).href)}); process.exit(0);`,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 60_000,
      },
    );
  } catch (err) {
    rmSync(NEXT, { recursive: true, force: true });
    console.error(
      `build: bundling the gateway failed (${String(err.stderr ?? err.message)
        .trim()
        .slice(0, 2000)}); ${existsSync('dist') ? 'the previous dist/ is kept' : 'no dist/ was written'}.`,
    );
    process.exit(1);
  }
}
try {
  rmSync(OLD, { recursive: true, force: true });
  if (existsSync('dist')) renameSync('dist', OLD);
  renameSync(NEXT, 'dist');
} catch (err) {
  // Windows refuses to rename a directory whose files a running process holds open.
  if (!existsSync('dist') && existsSync(OLD)) renameSync(OLD, 'dist');
  console.error(
    `build: could not put the new build in place of dist/ (${err.code ?? err.message}; is a gateway running from it?). dist/ is unchanged; the new build is in ${NEXT}/.`,
  );
  process.exit(1);
}
rmSync(OLD, { recursive: true, force: true });
writeFileSync(STAMP, new Date().toISOString());
// Fills Node's compile cache with the gateway's modules, in the directory dist/gateway/src/main.js
// gives it (dist/.compile-cache when the bundle is there), so that the first start after a build, and
// a container's every start, is as quick as the later ones. With the V8 flags `npm start` passes:
// Node keeps one cache per set of flags, and one filled without them would not be the one a start
// uses. Best effort: a failure here only means a slower first start.
try {
  const start = JSON.parse(readFileSync('package.json', 'utf8')).scripts?.start ?? '';
  const flags = start
    .split('&&')
    .at(-1)
    .trim()
    .split(/\s+/)
    .filter((word) => word.startsWith('--'));
  const bundled = existsSync(join('dist', 'gateway', 'src', 'run.bundle.js'));
  const cacheDir =
    process.env.NODE_COMPILE_CACHE || (bundled ? resolve('dist', '.compile-cache') : undefined);
  execFileSync(
    process.execPath,
    [
      ...flags,
      '--input-type=module',
      '-e',
      `import { enableCompileCache, flushCompileCache } from 'node:module'; enableCompileCache(); await import('./dist/gateway/src/${bundled ? 'run.bundle.js' : 'run.js'}'); flushCompileCache(); process.exit(0);`,
    ],
    // NODE_COMPILE_CACHE, when set, is where enableCompileCache() keeps it (else Node's default).
    {
      stdio: 'ignore',
      timeout: 60_000,
      env: cacheDir ? { ...process.env, NODE_COMPILE_CACHE: cacheDir } : process.env,
    },
  );
} catch {
  // The compile cache is an optimisation only.
}
console.error(
  `build: dist/ compiled and ${copied} asset files copied in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
