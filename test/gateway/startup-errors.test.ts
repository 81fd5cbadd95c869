/**
 * Start-up problems that are not a single malformed variable (a missing or broken supergraph or
 * subgraph list, a bad remote URL, a taken port) stop the gateway with a ConfigError naming the
 * variable, like a malformed value does (main.ts prints it and exits 2).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { createGatewayApp } from '../../gateway/src/server.ts';
import { ConfigError } from '../../kit/config.ts';
import { silentLogger } from '../../kit/logger.ts';
import { startTestGateway } from '../helpers/gateway.ts';

const start = (env: Record<string, string>) =>
  createGatewayApp({
    config: loadConfig({ UPSTREAM_MODE: 'snapshot', LOG_LEVEL: 'silent', ...env }),
    logger: silentLogger,
    cache: new Keyv(),
  });

/** The single problem line of the ConfigError `promise` rejects with. */
async function problem(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).problems).toHaveLength(1);
  return (err as ConfigError).problems[0]!;
}

describe('start-up problems name the variable', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sodg-startup-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SUBGRAPH_URLS must hold name=URL entries with http(s) URLs', () => {
    for (const bad of ['smhi', 'smhi=ftp://host/graphql', 'smhi=not a url', 'SMHI=http://x/graphql']) {
      expect(() => loadConfig({ SUBGRAPH_URLS: bad })).toThrow(
        `SUBGRAPH_URLS=${JSON.stringify(bad)} is not allowed; expected comma-separated name=URL entries with absolute http: or https: URLs`,
      );
    }
    expect(
      loadConfig({ SUBGRAPH_URLS: 'smhi=http://127.0.0.1:4001/graphql, scb=https://x/graphql' }).gateway,
    ).toMatchObject({ SUBGRAPH_URLS: 'smhi=http://127.0.0.1:4001/graphql, scb=https://x/graphql' });
  });

  it('SUBGRAPH_URLS naming a subgraph that is not in the list', async () => {
    expect(await problem(start({ SUBGRAPH_URLS: 'nosuch=http://127.0.0.1:1/graphql' }))).toBe(
      'SUBGRAPH_URLS="nosuch=http://127.0.0.1:1/graphql" cannot be used: SUBGRAPH_URLS names "nosuch", which is not in schema/subgraphs.json',
    );
  });

  it('SUBGRAPHS_FILE that is missing or lists a non-http URL', async () => {
    expect(await problem(start({ SUBGRAPHS_FILE: join(dir, 'missing.json') }))).toMatch(
      /^SUBGRAPHS_FILE=".*missing\.json" cannot be used: Cannot read the subgraph list .*ENOENT/,
    );
    const list = join(dir, 'ftp.json');
    writeFileSync(list, JSON.stringify({ subgraphs: [{ name: 'smhi', url: 'ftp://host/graphql' }] }));
    expect(await problem(start({ SUBGRAPHS_FILE: list }))).toContain(
      'subgraph "smhi" has url "ftp://host/graphql", which is not an absolute http(s) URL',
    );
  });

  it('SUPERGRAPH_FILE that is missing, or not a supergraph', async () => {
    expect(await problem(start({ SUPERGRAPH_FILE: join(dir, 'missing.graphql') }))).toMatch(
      /^SUPERGRAPH_FILE=".*missing\.graphql" cannot be read \(ENOENT\); expected a composed supergraph: run "npm run compose"/,
    );
    const plain = join(dir, 'plain.graphql');
    writeFileSync(plain, 'type Query { hello: String }\n');
    expect(await problem(start({ SUPERGRAPH_FILE: plain }))).toMatch(
      /^SUPERGRAPH_FILE=".*plain\.graphql" could not be served: Invalid supergraph: must be a core schema\. Expected a supergraph composed from schema\/subgraphs\.json/,
    );
  });

  it('a PORT that another process holds', async () => {
    const first = await startTestGateway();
    const port = Number(new URL(first.url).port);
    const second = await start({});
    try {
      expect(await problem(second.listen(port, '127.0.0.1'))).toBe(
        `PORT=${port} HOST="127.0.0.1": cannot listen: the port is in use by another process: choose another PORT.`,
      );
    } finally {
      await second.stop();
      await first.stop();
    }
  });
});

describe('/ready during shutdown', () => {
  it('is not ready once stop() has begun, so a load balancer sends no new requests', async () => {
    const gw = await startTestGateway();
    expect(await gw.app.readiness()).toMatchObject({ ready: true });
    const res = await fetch(`${gw.url}/ready`);
    expect(res.status).toBe(200);
    const stopped = gw.stop();
    expect(await gw.app.readiness()).toEqual({ ready: false, checks: { gateway: 'stopping' } });
    await stopped;
  });
});
