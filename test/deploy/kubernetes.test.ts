/**
 * deploy/kubernetes/: every manifest parsed (all documents of every file) and checked against the
 * others and against the gateway: ports, probes, selectors, security, resources, configuration
 * variables, credentials, the supergraph ConfigMap and its hot reload, the autoscaler, the
 * disruption budget, the network policies and Redis. kubectl, where installed, also renders it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { URL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { bytes, containerSecurityProblems, envProblems, millicores, selects } from './checks.ts';
import {
  type Container,
  containerPort,
  type Deployment,
  gatewayContainer,
  gatewayDeployment,
  gatewayEnvironment,
  gatewayPodLabels,
  generatedEnv,
  imageEnv,
  type K8sObject,
  k8sDir,
  kustomization,
  manifestFiles,
  type NetworkPolicy,
  type NetworkPolicyPort,
  object,
  objects,
  type Service,
  spec,
} from './files.ts';

/** RSS measured for one gateway replica (see the comment on its resources). */
const MEASURED_IDLE_BYTES = 190e6;
const MEASURED_LOADED_BYTES = 415e6;

const deployments = objects.filter((o): o is Deployment => o.kind === 'Deployment');
const service = object<Service>('Service', 'gateway');
const redisDeployment = object<Deployment>('Deployment', 'redis');
const redisContainer = redisDeployment.spec.template.spec.containers[0]!;
const redisService = object<Service>('Service', 'redis');
const gatewayPort = containerPort(gatewayContainer, 'http');
const env = gatewayEnvironment();

/** The port the gateway listens on in the pod: its environment, else the image's ENV. */
const listening = Number(env['PORT'] ?? imageEnv['PORT']);

/** Names of every ConfigMap the folder produces (objects and kustomize generators). */
const configMaps = new Set([
  ...objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name),
  ...(kustomization.configMapGenerator ?? []).map((g) => g.name),
]);

function policyPorts(
  ports: NetworkPolicyPort[] | undefined,
): Array<{ protocol: string; port: number | undefined }> {
  return (ports ?? []).map((p) => ({
    protocol: p.protocol ?? 'TCP',
    port: typeof p.port === 'string' ? containerPort(gatewayContainer, p.port) : p.port,
  }));
}

function allContainers(d: Deployment): Container[] {
  return [...d.spec.template.spec.containers, ...(d.spec.template.spec.initContainers ?? [])];
}

describe('kustomization.yaml', () => {
  it('lists every manifest of the folder, and only files that exist', () => {
    expect([...(kustomization.resources ?? [])].sort()).toEqual(manifestFiles);
  });

  it('puts everything into the Namespace it creates', () => {
    const namespaces = objects.filter((o) => o.kind === 'Namespace');
    expect(namespaces.map((n) => n.metadata.name)).toEqual([kustomization.namespace]);
    for (const o of objects)
      expect(o.metadata.namespace ?? kustomization.namespace, `${o.kind} ${o.metadata.name}`).toBe(
        kustomization.namespace,
      );
  });

  it('sets the image of the gateway Deployment (kustomize edit set image)', () => {
    const names = (kustomization.images ?? []).map((i) => i.name);
    expect(names).toContain(gatewayContainer.image.split(':')[0]);
  });

  it('generates no Secret: credentials are never in the repository', () => {
    expect(kustomization.secretGenerator).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});

describe('the gateway Deployment', () => {
  const pod = gatewayDeployment.spec.template.spec;

  it('runs at least two replicas, and its selector matches its pods', () => {
    expect(gatewayDeployment.spec.replicas ?? 1).toBeGreaterThanOrEqual(2);
    expect(selects(gatewayDeployment.spec.selector.matchLabels, gatewayPodLabels)).toBe(true);
  });

  it('names the port the gateway listens on (the image EXPOSEs the same)', () => {
    expect(gatewayPort).toBe(listening);
    expect(gatewayPort).toBe(Number(imageEnv['PORT']));
  });

  it('is ready on /ready and alive on /health, both on the gateway port', () => {
    const { readinessProbe, livenessProbe, startupProbe } = gatewayContainer;
    expect(readinessProbe?.httpGet?.path).toBe('/ready');
    expect(livenessProbe?.httpGet?.path).toBe('/health');
    if (startupProbe) expect(startupProbe.httpGet?.path).toBe('/health');
    for (const probe of [readinessProbe, livenessProbe, startupProbe].filter(Boolean))
      expect(containerPort(gatewayContainer, probe!.httpGet?.port)).toBe(listening);
  });

  it('runs as non-root with a read-only root file system, no privilege escalation and no capabilities', () => {
    for (const d of deployments)
      for (const c of allContainers(d))
        expect(
          containerSecurityProblems(
            `${d.metadata.name}/${c.name}`,
            d.spec.template.spec.securityContext,
            c.securityContext,
          ),
        ).toEqual([]);
  });

  it('has resource requests and limits, the memory ones derived from the measured RSS', () => {
    for (const d of deployments)
      for (const c of allContainers(d)) {
        const where = `${d.metadata.name}/${c.name}`;
        const { requests, limits } = c.resources ?? {};
        for (const r of ['cpu', 'memory']) {
          expect(requests?.[r], `${where} requests ${r}`).toBeDefined();
          expect(limits?.[r], `${where} limits ${r}`).toBeDefined();
        }
        expect(bytes(limits!['memory']!)).toBeGreaterThanOrEqual(bytes(requests!['memory']!));
        expect(millicores(limits!['cpu']!)).toBeGreaterThanOrEqual(millicores(requests!['cpu']!));
      }
    const { requests, limits } = gatewayContainer.resources!;
    expect(bytes(requests!['memory']!)).toBeGreaterThan(MEASURED_IDLE_BYTES);
    expect(bytes(limits!['memory']!)).toBeGreaterThan(MEASURED_LOADED_BYTES);
  });

  it('is configured only with variables the gateway reads, with values it accepts', () => {
    // Each source on its own: an env entry from a Secret must not hide a credential in a ConfigMap.
    const own = Object.fromEntries((gatewayContainer.env ?? []).map((e) => [e.name, e.value]));
    expect(envProblems('gateway Deployment env', own, spec)).toEqual([]);
    for (const from of gatewayContainer.envFrom ?? []) {
      expect(from.secretRef, 'credentials one by one (secretKeyRef), not a whole Secret').toBeUndefined();
      const name = from.configMapRef!.name;
      expect(configMaps.has(name), name).toBe(true);
      expect(envProblems(`ConfigMap ${name}`, generatedEnv(name), spec)).toEqual([]);
    }
  });

  it('takes exactly the credentials (secret: true) from a Secret, each optional', () => {
    const fromSecret = (gatewayContainer.env ?? []).filter((e) => e.valueFrom?.secretKeyRef);
    const secretVars = Object.keys(spec).filter((k) => spec[k]!.secret);
    expect(fromSecret.map((e) => e.name).sort()).toEqual(secretVars.sort());
    for (const e of fromSecret) {
      expect(e.valueFrom!.secretKeyRef!.optional, e.name).toBe(true);
      expect(e.valueFrom!.secretKeyRef!.key).toBe(e.name);
    }
    expect(new Set(fromSecret.map((e) => e.valueFrom!.secretKeyRef!.name)).size).toBe(1);
  });

  it('mounts only ConfigMaps the folder produces, never through subPath (which would miss updates)', () => {
    for (const v of pod.volumes ?? [])
      if (v.configMap) expect(configMaps.has(v.configMap.name), v.configMap.name).toBe(true);
    const configMapVolumes = new Set((pod.volumes ?? []).filter((v) => v.configMap).map((v) => v.name));
    for (const m of gatewayContainer.volumeMounts ?? [])
      if (configMapVolumes.has(m.name)) expect(m.subPath, m.mountPath).toBeUndefined();
  });
});

describe('the supergraph ConfigMap', () => {
  const file = env['SUPERGRAPH_FILE']!;
  const mount = (gatewayContainer.volumeMounts ?? []).find((m) => m.mountPath === dirname(file));
  const volume = gatewayDeployment.spec.template.spec.volumes?.find((v) => v.name === mount?.name);
  const generator = kustomization.configMapGenerator?.find((g) => g.name === volume?.configMap?.name);

  it('is mounted as the directory SUPERGRAPH_FILE is in, read-only', () => {
    expect(file, 'SUPERGRAPH_FILE').toMatch(/^\//);
    expect(mount).toBeDefined();
    expect(mount!.subPath).toBeUndefined();
    expect(mount!.readOnly).toBe(true);
    expect(volume?.configMap).toBeDefined();
  });

  it('is generated from a file whose key is the name SUPERGRAPH_FILE reads', () => {
    expect(generator).toBeDefined();
    const keys = (generator!.files ?? []).map((f) => (f.includes('=') ? f.split('=')[0] : basename(f)));
    expect(keys).toContain(basename(file));
  });

  it('keeps its name when its content changes, so the pods reload it in place rather than restart', () => {
    expect(generator!.options?.disableNameSuffixHash).toBe(true);
  });

  it('is the current schema/supergraph.graphql (npm run compose writes both)', () => {
    const source = (generator!.files ?? []).find((f) => basename(f.split('=').at(-1)!) === basename(file))!;
    const copy = readFileSync(join(k8sDir, source.split('=').at(-1)!), 'utf8');
    const current = readFileSync('schema/supergraph.graphql', 'utf8');
    expect(
      copy === current,
      'deploy/kubernetes/supergraph.graphql differs from schema/supergraph.graphql',
    ).toBe(true);
  });

  it('fits into the annotation kubectl apply keeps (256 KiB, the SDL escaped as JSON)', () => {
    const size = JSON.stringify(readFileSync('schema/supergraph.graphql', 'utf8')).length;
    expect(size).toBeLessThan(256 * 1024 - 16 * 1024);
    expect(statSync('schema/supergraph.graphql').size).toBeLessThan(1024 * 1024);
  });
});

describe('the gateway Service', () => {
  it('selects the gateway pods (and not Redis)', () => {
    expect(selects(service.spec.selector, gatewayPodLabels)).toBe(true);
    expect(selects(service.spec.selector, redisDeployment.spec.template.metadata.labels)).toBe(false);
  });

  it('forwards to the port the gateway listens on', () => {
    expect(service.spec.ports).toHaveLength(1);
    expect(
      containerPort(gatewayContainer, service.spec.ports[0]!.targetPort ?? service.spec.ports[0]!.port),
    ).toBe(listening);
  });
});

describe('the HorizontalPodAutoscaler', () => {
  const hpa = object<
    K8sObject & {
      spec: {
        scaleTargetRef: { apiVersion: string; kind: string; name: string };
        minReplicas?: number;
        maxReplicas: number;
        metrics?: Array<{ type: string; resource?: { name: string; target: { type: string } } }>;
      };
    }
  >('HorizontalPodAutoscaler', 'gateway');

  it('is autoscaling/v2 and scales the gateway Deployment', () => {
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' });
  });

  it('keeps at least the Deployment’s replicas and can grow', () => {
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(gatewayDeployment.spec.replicas ?? 1);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas!);
  });

  it('scales on CPU utilisation, which the gateway container requests', () => {
    expect(hpa.spec.metrics).toContainEqual(
      expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }),
    );
    expect(gatewayContainer.resources?.requests?.['cpu']).toBeDefined();
  });
});

describe('the PodDisruptionBudget', () => {
  const pdb = object<
    K8sObject & {
      spec: {
        minAvailable?: number;
        maxUnavailable?: number;
        selector: { matchLabels?: Record<string, string> };
      };
    }
  >('PodDisruptionBudget', 'gateway');

  it('selects the gateway pods', () => {
    expect(selects(pdb.spec.selector.matchLabels, gatewayPodLabels)).toBe(true);
  });

  it('keeps one replica up, and still lets a drain proceed', () => {
    const budget = pdb.spec.minAvailable !== undefined ? { minAvailable: 1 } : { maxUnavailable: 1 };
    expect(pdb.spec).toMatchObject(budget);
    if (pdb.spec.minAvailable !== undefined)
      expect(pdb.spec.minAvailable).toBeLessThan(gatewayDeployment.spec.replicas ?? 1);
  });
});

describe('the gateway NetworkPolicy', () => {
  const policy = object<NetworkPolicy>('NetworkPolicy', 'gateway');
  const cacheUrl = new URL(env['CACHE_URL']!);

  it('applies to the gateway pods, both directions', () => {
    expect(selects(policy.spec.podSelector.matchLabels, gatewayPodLabels)).toBe(true);
    expect(policy.spec.policyTypes).toEqual(expect.arrayContaining(['Ingress', 'Egress']));
  });

  it('lets in the gateway port only', () => {
    expect(policy.spec.ingress?.length).toBeGreaterThan(0);
    for (const rule of policy.spec.ingress ?? [])
      expect(policyPorts(rule.ports)).toEqual([{ protocol: 'TCP', port: listening }]);
  });

  it('lets out Redis, DNS and HTTPS only, every rule limited to its ports', () => {
    const rules = policy.spec.egress ?? [];
    for (const rule of rules) expect(rule.ports?.length, JSON.stringify(rule)).toBeGreaterThan(0);
    const ports = rules.flatMap((r) => policyPorts(r.ports).map((p) => `${p.protocol}/${p.port}`));
    expect(new Set(ports)).toEqual(new Set([`TCP/${cacheUrl.port}`, 'UDP/53', 'TCP/53', 'TCP/443']));
    const toRedis = rules.find((r) => policyPorts(r.ports).some((p) => p.port === Number(cacheUrl.port)));
    expect(
      toRedis?.to?.some((t) =>
        selects(t.podSelector?.matchLabels, redisDeployment.spec.template.metadata.labels),
      ),
    ).toBe(true);
  });
});

describe('Redis', () => {
  const cacheUrl = new URL(env['CACHE_URL']!);
  const redisPolicy = object<NetworkPolicy>('NetworkPolicy', 'redis');

  it('is what CACHE_URL names: the redis Service, on its port', () => {
    expect(cacheUrl.protocol).toBe('redis:');
    expect(cacheUrl.hostname).toBe(redisService.metadata.name);
    expect(redisService.spec.ports.map((p) => p.port)).toEqual([Number(cacheUrl.port)]);
  });

  it('has a Service that selects its pod and forwards to its container port', () => {
    expect(selects(redisService.spec.selector, redisDeployment.spec.template.metadata.labels)).toBe(true);
    expect(
      selects(redisDeployment.spec.selector.matchLabels, redisDeployment.spec.template.metadata.labels),
    ).toBe(true);
    expect(containerPort(redisContainer, redisService.spec.ports[0]!.targetPort)).toBe(6379);
  });

  it('is the official image, with probes and a writable /data only', () => {
    expect(redisContainer.image).toMatch(/^redis:[0-9]/);
    expect(redisContainer.readinessProbe?.exec?.command).toEqual(['redis-cli', 'ping']);
    expect(redisContainer.livenessProbe).toBeDefined();
    expect((redisContainer.volumeMounts ?? []).map((m) => m.mountPath)).toEqual(['/data']);
  });

  it('accepts connections from the gateway pods only, and opens none', () => {
    expect(
      selects(redisPolicy.spec.podSelector.matchLabels, redisDeployment.spec.template.metadata.labels),
    ).toBe(true);
    expect(redisPolicy.spec.policyTypes).toEqual(expect.arrayContaining(['Ingress', 'Egress']));
    expect(redisPolicy.spec.egress ?? []).toEqual([]);
    for (const rule of redisPolicy.spec.ingress ?? []) {
      expect(rule.from?.length).toBeGreaterThan(0);
      for (const from of rule.from as Array<{ podSelector?: { matchLabels?: Record<string, string> } }>)
        expect(selects(from.podSelector?.matchLabels, gatewayPodLabels)).toBe(true);
      expect(policyPorts(rule.ports)).toEqual([{ protocol: 'TCP', port: 6379 }]);
    }
  });
});

describe('docs/deploying.md', () => {
  const guide = readFileSync('docs/deploying.md', 'utf8');

  it('names every credential, the Secret and the supergraph mount it tells the reader about', () => {
    const secret = (gatewayContainer.env ?? []).find((e) => e.valueFrom?.secretKeyRef)!.valueFrom!
      .secretKeyRef!.name;
    for (const name of [
      ...Object.keys(spec).filter((k) => spec[k]!.secret),
      secret,
      `${dirname(env['SUPERGRAPH_FILE']!)}/`,
    ])
      expect(guide, name).toContain(name);
  });
});

describe('kubectl kustomize', () => {
  const kubectl = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!kubectl)('renders the folder, with the generated ConfigMap names in the Deployment', () => {
    const rendered = parseAllDocuments(
      execFileSync('kubectl', ['kustomize', k8sDir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }),
    ).map((d) => d.toJS() as K8sObject & { data?: Record<string, string> });
    const maps = rendered.filter((o) => o.kind === 'ConfigMap');
    const deployment = rendered.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'gateway',
    ) as Deployment;
    const container = deployment.spec.template.spec.containers[0]!;
    const envMap = container.envFrom![0]!.configMapRef!.name;
    expect(maps.find((m) => m.metadata.name === envMap)?.data).toEqual(generatedEnv('gateway-env'));
    expect(maps.find((m) => m.metadata.name === 'gateway-supergraph')?.data?.['supergraph.graphql']).toBe(
      readFileSync(join(k8sDir, 'supergraph.graphql'), 'utf8'),
    );
    expect(container.image).toMatch(/^sweden-open-data-graph:/);
    for (const o of rendered.filter((x) => x.kind !== 'Namespace'))
      expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(kustomization.namespace);
  });
});
