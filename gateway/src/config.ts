import { subgraphModules } from '../../subgraphs/index.ts';
import { type EnvSpec, type EnvValues, int, oneOf, readEnv, str, url } from '../../subgraphs/kit/config.ts';

/** The gateway's own environment variables. Subgraphs add theirs (see each subgraph's `env`). */
export const gatewayEnv = {
  PORT: int({ description: 'HTTP port of the gateway', default: '4000', min: 0, max: 65535 }),
  HOST: str({ description: 'Interface to listen on', default: '0.0.0.0' }),
  UPSTREAM_MODE: oneOf({
    description:
      '`live` calls the agencies; `snapshot` replays recorded responses and never touches the network; `record` calls live and saves responses into the snapshot',
    default: 'live',
    values: ['live', 'snapshot', 'record'] as const,
  }),
  SNAPSHOT_DIR: str({ description: 'Directory of recorded upstream responses', default: 'snapshot' }),
  CACHE_URL: url({
    description:
      'Shared upstream cache: `redis://host:6379` (several replicas share it); unset = in-memory LRU per process',
    protocols: ['redis:', 'rediss:'],
  }),
  CACHE_MAX_ENTRIES: int({
    description: 'Entries of the in-memory LRU cache',
    default: '10000',
    min: 100,
    max: 10_000_000,
  }),
  SUBGRAPHS_FILE: str({
    description: 'The subgraph list (in-process or remote)',
    default: 'schema/subgraphs.json',
  }),
  SUBGRAPH_URLS: str({
    description:
      'Run listed subgraphs remotely: `smhi=http://localhost:4001/graphql,scb=…` (overrides the list)',
  }),
  SUPERGRAPH_FILE: str({
    description: 'Composed supergraph SDL; reloaded when the file changes',
    default: 'schema/supergraph.graphql',
  }),
  SUBGRAPH_TIMEOUT_MS: int({
    description: 'Timeout of a call to a remote subgraph (ms)',
    default: '30000',
    min: 100,
    max: 300_000,
  }),
  MAX_QUERY_DEPTH: int({
    description:
      'Deepest field nesting an operation may have; deeper operations are rejected before any agency is called',
    default: '12',
    min: 2,
    max: 100,
  }),
  CORS_ORIGIN: str({ description: 'Value of Access-Control-Allow-Origin', default: '*' }),
  LOG_LEVEL: oneOf({
    description: 'Log level',
    default: 'info',
    values: ['debug', 'info', 'warn', 'error', 'silent'] as const,
  }),
} satisfies EnvSpec;

/** Every variable the process reads: the gateway's plus each built-in subgraph's. */
export function fullEnvSpec(): EnvSpec {
  const spec: EnvSpec = { ...gatewayEnv };
  for (const module of subgraphModules) Object.assign(spec, module.env);
  return spec;
}

export type GatewayConfig = EnvValues<typeof gatewayEnv>;

export interface Config {
  gateway: GatewayConfig;
  /** Parsed values of every subgraph variable, by name. */
  subgraphs: Record<string, unknown>;
}

/** Reads the whole environment once; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const all = readEnv(fullEnvSpec(), env) as Record<string, unknown>;
  const gateway = Object.fromEntries(Object.keys(gatewayEnv).map((k) => [k, all[k]])) as GatewayConfig;
  return { gateway, subgraphs: all };
}
