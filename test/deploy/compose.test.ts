/**
 * compose.yaml and its HAProxy configuration: two gateway replicas built from the Dockerfile, one
 * Redis, a load balancer that sends requests only to ready replicas; read-only containers, health
 * checks, start-up order, and the gateways configured only through variables the gateway reads.
 */
import { URL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { envProblems, healthcheckCommandProblems } from './checks.ts';
import {
  type ComposeService,
  compose,
  composeDependsOn,
  composeEnv,
  exists,
  gatewayServices,
  haproxy,
  haproxyFile,
  imageEnv,
  spec,
} from './files.ts';
import { composeValue, type HaproxySection, haproxyLines } from './parse.ts';

const services = compose.services;
const redisName = 'redis';
const lbName = Object.keys(services).find((name) => services[name]!.image?.startsWith('haproxy:'));

/** The value Compose gives a variable without the caller's environment (defaults applied). */
function knownEnv(service: ComposeService): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(composeEnv(service)).map(([k, v]) => {
      if (v === undefined) return [k, undefined];
      const resolved = composeValue(v);
      return [k, resolved.known ? resolved.value : undefined];
    }),
  );
}

/** The port a gateway container listens on: its environment, else the image's ENV. */
function gatewayPort(service: ComposeService): string {
  return knownEnv(service)['PORT'] ?? imageEnv['PORT']!;
}

/** `127.0.0.1:4000:8080`, `4000:8080` or `{ target: 8080 }` → the container's port. */
function containerPorts(service: ComposeService): number[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'object') return Number(p.target);
    return Number(String(p).split('/')[0]!.split(':').at(-1));
  });
}

function healthcheckCommand(service: ComposeService): string[] {
  const test = service.healthcheck?.test;
  if (!Array.isArray(test)) return [];
  return test[0] === 'CMD' ? test.slice(1) : [];
}

function section(kind: string, name?: string): HaproxySection {
  const found = haproxy.filter((s) => s.kind === kind && (name === undefined || s.name === name));
  if (found.length !== 1)
    throw new Error(`${haproxyFile}: expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0]!;
}

describe('compose.yaml: the gateway replicas', () => {
  it('runs at least two, each built from the Dockerfile', () => {
    expect(gatewayServices.length).toBeGreaterThanOrEqual(2);
    for (const [, s] of gatewayServices) {
      const build = typeof s.build === 'string' ? { context: s.build } : s.build!;
      expect(build.context).toBe('.');
      expect(exists(build.dockerfile ?? 'Dockerfile')).toBe(true);
    }
  });

  it.each(gatewayServices)(
    '%s: read-only root file system, no capabilities, no new privileges',
    (_name, s) => {
      expect(s.read_only).toBe(true);
      expect(s.cap_drop).toContain('ALL');
      expect(s.security_opt).toContain('no-new-privileges:true');
    },
  );

  it.each(gatewayServices)('%s: health check asks /health with Node on PORT', (_name, s) => {
    expect(healthcheckCommand(s)).not.toEqual([]);
    expect(healthcheckCommandProblems('healthcheck', healthcheckCommand(s), '/health')).toEqual([]);
  });

  it.each(gatewayServices)('%s: starts once Redis is healthy', (_name, s) => {
    expect(composeDependsOn(s)).toMatchObject({ [redisName]: 'service_healthy' });
  });

  it.each(gatewayServices)('%s: is reached through the load balancer only', (_name, s) => {
    expect(s.ports).toBeUndefined();
    expect((s.expose ?? []).map(String)).toEqual([gatewayPort(s)]);
  });

  it.each(gatewayServices)(
    '%s: is configured only with variables the gateway reads, with values it accepts',
    (name, s) => {
      expect(envProblems(`compose.yaml ${name}`, knownEnv(s), spec)).toEqual([]);
    },
  );

  it.each(gatewayServices)('%s: credentials come from the shell, never from the file', (_name, s) => {
    const env = composeEnv(s);
    for (const [k, v] of Object.entries(env)) {
      if (!spec[k]?.secret) continue;
      // Unset (taken from the shell) or ${NAME} / ${NAME:-} (empty without the shell's value).
      expect(v === undefined || new RegExp(`^\\$\\{${k}(:?-)?\\}$`).test(v), `${k}=${v}`).toBe(true);
    }
  });

  it.each(gatewayServices)(
    '%s: runs offline unless UPSTREAM_MODE says otherwise, and shares the Redis',
    (_name, s) => {
      const env = knownEnv(s);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's interpolation, not a template literal.
      expect(composeEnv(s)['UPSTREAM_MODE']).toBe('${UPSTREAM_MODE:-offline}');
      const cache = new URL(env['CACHE_URL']!);
      expect(cache.protocol).toBe('redis:');
      expect(cache.hostname).toBe(redisName);
      expect(cache.port).toBe('6379');
    },
  );

  it('configures every replica the same way', () => {
    const [first, ...rest] = gatewayServices.map(([, s]) => JSON.stringify(s));
    for (const other of rest) expect(other).toBe(first);
  });
});

describe('compose.yaml: Redis', () => {
  const redis = services[redisName]!;

  it('is the official image, read-only with a tmpfs for its working directory, and has a health check', () => {
    expect(redis.image).toMatch(/^redis:[0-9]/);
    expect(redis.read_only).toBe(true);
    expect([redis.tmpfs ?? []].flat()).toContain('/data');
    expect(healthcheckCommand(redis)).toEqual(['redis-cli', 'ping']);
  });

  it('listens where CACHE_URL points (no other port configured) and keeps nothing on disk', () => {
    const command = [redis.command ?? []].flat();
    const flagValue = (flag: string) =>
      command.includes(flag) ? command[command.indexOf(flag) + 1] : undefined;
    expect(command).not.toContain('--port');
    expect(flagValue('--save')).toBe('');
    expect(flagValue('--appendonly')).toBe('no');
  });
});

describe('compose.yaml: the load balancer (HAProxy)', () => {
  it('exists, is the official image, and reads deploy/compose/haproxy.cfg', () => {
    expect(lbName).toBeDefined();
    const lb = services[lbName!]!;
    const mounts = (lb.volumes ?? []).map((v) =>
      typeof v === 'string' ? v.split(':') : [v.source, v.target],
    );
    expect(mounts).toContainEqual(
      expect.arrayContaining([`./${haproxyFile}`, '/usr/local/etc/haproxy/haproxy.cfg']),
    );
    expect(exists(haproxyFile)).toBe(true);
  });

  it('starts once every replica is healthy, read-only, and has a health check on its own port', () => {
    const lb = services[lbName!]!;
    const deps = composeDependsOn(lb);
    for (const [name] of gatewayServices) expect(deps[name], name).toBe('service_healthy');
    expect(lb.read_only).toBe(true);
    const check = healthcheckCommand(lb).join(' ');
    const monitor = haproxyLines(section('frontend'), 'monitor-uri')[0]?.[1];
    expect(monitor).toBeDefined();
    const bind = haproxyLines(section('frontend'), 'bind')[0]![1]!;
    expect(check).toContain(`http://127.0.0.1:${bind.split(':').at(-1)}${monitor}`);
  });

  it('publishes the port HAProxy binds', () => {
    const bind = haproxyLines(section('frontend'), 'bind').map((w) => Number(w[1]!.split(':').at(-1)));
    expect(containerPorts(services[lbName!]!)).toEqual(bind);
  });

  it('balances over exactly the gateway replicas, on the port they listen on', () => {
    const backend = section('backend', haproxyLines(section('frontend'), 'default_backend')[0]![1]);
    const servers = haproxyLines(backend, 'server').map((w) => ({ name: w[1], address: w[2] }));
    expect(servers.map((s) => s.address).sort()).toEqual(
      gatewayServices.map(([name, s]) => `${name}:${gatewayPort(s)}`).sort(),
    );
  });

  it('sends requests only to replicas whose /ready answers 200', () => {
    const backend = section('backend', 'gateways');
    expect(haproxyLines(backend, 'option', 'httpchk')).toHaveLength(1);
    expect(haproxyLines(backend, 'http-check', 'send')[0]).toEqual(
      expect.arrayContaining(['meth', 'GET', 'uri', '/ready']),
    );
    expect(haproxyLines(backend, 'http-check', 'expect')[0]).toEqual([
      'http-check',
      'expect',
      'status',
      '200',
    ]);
    const checked = haproxyLines(backend, 'default-server').some((w) => w.includes('check'));
    for (const server of haproxyLines(backend, 'server'))
      expect(checked || server.includes('check'), server.join(' ')).toBe(true);
  });

  it('adds X-Forwarded-For, and the gateways trust exactly that one hop', () => {
    expect(haproxyLines(section('defaults'), 'option', 'forwardfor')).toHaveLength(1);
    for (const [, s] of gatewayServices) expect(knownEnv(s)['TRUST_PROXY_HOPS']).toBe('1');
  });

  it('waits longer for a gateway than a GraphQL request may take (REQUEST_DEADLINE_MS)', () => {
    const server = haproxyLines(section('defaults'), 'timeout', 'server')[0]![2]!;
    const seconds = Number(/^(\d+)s$/.exec(server)?.[1]);
    const deadline = Number(
      knownEnv(gatewayServices[0]![1])['REQUEST_DEADLINE_MS'] ?? spec['REQUEST_DEADLINE_MS']!.default,
    );
    expect(seconds * 1000).toBeGreaterThan(deadline);
  });
});

describe('compose.yaml: start-up order', () => {
  it('depends only on services that exist, and waits for health where a health check exists', () => {
    for (const [name, s] of Object.entries(services))
      for (const [dep, condition] of Object.entries(composeDependsOn(s))) {
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        if (services[dep]!.healthcheck) expect(condition, `${name} → ${dep}`).toBe('service_healthy');
      }
  });
});
