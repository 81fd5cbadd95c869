import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SubgraphModule } from '../../kit/subgraph.ts';
import { findModule } from '../../subgraphs/index.ts';

/** One entry of `schema/subgraphs.json`. */
export interface SubgraphEntry {
  name: string;
  /** Remote GraphQL endpoint; absent = in-process. */
  url?: string;
  /** SDL file for a subgraph that is not in this repository (relative to the list file). */
  sdlFile?: string;
}

export interface ResolvedSubgraph {
  name: string;
  url: string | undefined;
  /** The built-in module, if the subgraph is one of ours. */
  module: SubgraphModule | undefined;
  /** SDL text for subgraphs that are not ours. */
  sdl: string | undefined;
}

/** Parses `SUBGRAPH_URLS=smhi=http://localhost:4001/graphql,scb=…`. */
export function parseUrlOverrides(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0)
      throw new Error(`SUBGRAPH_URLS entry "${part}" must look like name=http://host:port/graphql`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** Reads the subgraph list and checks every entry; errors name the entry and what is allowed. */
export function loadSubgraphList(file: string, overrides: Record<string, string> = {}): ResolvedSubgraph[] {
  let parsed: { subgraphs?: SubgraphEntry[] };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as { subgraphs?: SubgraphEntry[] };
  } catch (err) {
    throw new Error(`Cannot read the subgraph list ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed.subgraphs) || parsed.subgraphs.length === 0) {
    throw new Error(`${file} must contain {"subgraphs": [{"name": ...}, ...]} with at least one entry`);
  }
  const seen = new Set<string>();
  const list = parsed.subgraphs.map((entry, i) => {
    if (typeof entry.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(entry.name)) {
      throw new Error(`${file}: subgraphs[${i}].name must be a lower-case name like "smhi"`);
    }
    if (seen.has(entry.name)) throw new Error(`${file}: subgraph "${entry.name}" is listed twice`);
    seen.add(entry.name);
    const url = overrides[entry.name] ?? entry.url;
    if (url !== undefined && !isHttpUrl(url)) {
      throw new Error(
        `${file}: subgraph "${entry.name}" has url "${url}", which is not an absolute http(s) URL`,
      );
    }
    const module = findModule(entry.name);
    let sdl: string | undefined;
    if (!module) {
      if (!entry.sdlFile) {
        throw new Error(
          `${file}: "${entry.name}" is not a built-in subgraph, so it needs "url" and "sdlFile"`,
        );
      }
      if (!url) throw new Error(`${file}: "${entry.name}" is not a built-in subgraph, so it needs a "url"`);
      sdl = readFileSync(resolve(dirname(file), entry.sdlFile), 'utf8');
    }
    return { name: entry.name, url, module, sdl };
  });
  for (const name of Object.keys(overrides)) {
    if (!seen.has(name)) throw new Error(`SUBGRAPH_URLS names "${name}", which is not in ${file}`);
  }
  return list;
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
