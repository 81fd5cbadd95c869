/**
 * Entry point: `npm start`, `npm run demo`, the container's command. It turns on Node's on-disk
 * compile cache before the gateway's modules load (ES imports are all loaded before a module's
 * first statement runs, hence this file), then loads the gateway: in dist/, the build's single-file
 * bundle `run.bundle.js` when it is there (one file to read and compile instead of ~1 700 modules
 * to resolve; see scripts/build.mjs), else `run.ts` and its imports (tsx, or a dist/ without bundle).
 *
 * The compile cache saves most of the compilation at start (about 0.3 s). Run from a bundled dist/,
 * it lives in dist/.compile-cache: the build fills it, so the first start after a build uses it; a
 * container image carries it with dist/ (and reads it on a read-only file system); the next build
 * replaces it with dist/. Elsewhere it is Node's default, the system's temporary directory.
 * NODE_COMPILE_CACHE names another directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';

const bundle = new URL('./run.bundle.js', import.meta.url);
const bundled = existsSync(bundle);
enableCompileCache?.(
  process.env['NODE_COMPILE_CACHE'] ||
    (bundled ? fileURLToPath(new URL('../../.compile-cache', import.meta.url)) : undefined),
);
const { main } = (
  bundled ? await import(bundle.href) : await import('./run.ts')
) as typeof import('./run.ts');
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
