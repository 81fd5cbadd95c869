import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The command `npm start` runs after its build step, as words: `node`, the V8 flags the gateway is
 * shipped with, the entry point (`["node", "--max-semi-space-size=8", "--heap-growing-percent=30", "dist/gateway/src/main.js"]`).
 * The benchmarks start the gateway with exactly these flags and the container's CMD is checked
 * against them, so that what is measured is what is deployed.
 */
export function startCommand(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const last = pkg.scripts.start.split('&&').at(-1)!.trim();
  return last.split(/\s+/);
}

/** The Node/V8 flags of `npm start` (the words between `node` and the entry point). */
export function startFlags(root: string): string[] {
  const words = startCommand(root);
  return words.slice(1).filter((w) => w.startsWith('--'));
}
