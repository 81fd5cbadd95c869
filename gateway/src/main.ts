/**
 * Entry point: `npm start`, `npm run demo`, the container's command. It turns on Node's on-disk
 * compile cache before the gateway's modules load (ES imports are all loaded before a module's
 * first statement runs, hence this file), then loads the gateway: in dist/, the build's single-file
 * bundle `run.bundle.js` when it is there (one file to read and compile instead of ~1 700 modules
 * to resolve; see scripts/build.mjs), else `run.ts` and its imports (tsx, or a dist/ without bundle).
 * The compile cache roughly halves the compilation part of start-up from the second start on; it
 * lives in NODE_COMPILE_CACHE, else the system's temporary directory; NODE_DISABLE_COMPILE_CACHE=1
 * turns it off.
 */
import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
const bundle = new URL('./run.bundle.js', import.meta.url);
const { main } = (
  existsSync(bundle) ? await import(bundle.href) : await import('./run.ts')
) as typeof import('./run.ts');
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
