import type { SubgraphModule } from '../kit/subgraph.ts';
import { catalog } from './catalog/index.ts';
import { jobtech } from './jobtech/index.ts';
import { lantmateriet } from './lantmateriet/index.ts';
import { scb } from './scb/index.ts';
import { sgu } from './sgu/index.ts';
import { smhi } from './smhi/index.ts';

/**
 * Every subgraph this repository ships, in composition order. This one array drives the gateway,
 * the composition script, the contract suite and `npm run subgraph`. Adding an agency adds one entry.
 */
export const subgraphModules: readonly SubgraphModule[] = [lantmateriet, smhi, jobtech, sgu, scb, catalog];

export function findModule(name: string): SubgraphModule | undefined {
  return subgraphModules.find((m) => m.name === name);
}
