/**
 * Entry point: `npm start`, `npm run demo`, the container's command. It only turns on Node's
 * on-disk compile cache before the gateway's modules load (ES imports are all loaded before a
 * module's first statement runs, hence this file): loading Apollo Gateway, graphql and the
 * subgraphs is most of the start-up time, and a cached compilation roughly halves that part from the
 * second start on. The cache lives in NODE_COMPILE_CACHE, else the system's temporary directory;
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
const { main } = await import('./run.ts');
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
