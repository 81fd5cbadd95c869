// npm run build: compiles the gateway and the subgraphs to dist/ (tsc -p tsconfig.build.json) and
// copies what the compiled code reads next to its modules (GraphQL schemas, JSON and GeoJSON data,
// the explorer's assets, the examples) to the same relative paths under dist/.
//
//   node scripts/build.mjs             always builds
//   node scripts/build.mjs --if-stale  builds only when a source file is newer than the last build
//                                      (npm start and npm run demo run this first)
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
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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
  for (const root of [...ROOTS, 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) {
    if (!existsSync(root)) continue;
    if (statSync(root).isFile()) newest = Math.max(newest, statSync(root).mtimeMs);
    else for (const f of files(root)) newest = Math.max(newest, statSync(f).mtimeMs);
  }
  return newest;
}

if (process.argv.includes('--if-stale') && existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestSource()) {
  process.exit(0);
}

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
// Fills Node's compile cache (which dist/gateway/src/main.js turns on) with the gateway's modules, so
// that the first start after a build is as quick as the later ones. Best effort: a failure here only
// means a slower first start.
try {
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import { enableCompileCache, flushCompileCache } from 'node:module'; enableCompileCache(); await import('./dist/gateway/src/run.js'); flushCompileCache?.(); process.exit(0);",
    ],
    { stdio: 'ignore', timeout: 60_000 },
  );
} catch {
  // The compile cache is an optimisation only.
}
console.error(
  `build: dist/ compiled and ${copied} asset files copied in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
