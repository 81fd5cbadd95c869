/**
 * The deployment files, read and typed for the tests: the Dockerfile, compose.yaml with its HAProxy
 * configuration, and deploy/kubernetes/ (the kustomization, every manifest, the generated ConfigMaps'
 * sources). Types hold only the fields the tests look at.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fullEnvSpec } from '../../gateway/src/config.ts';
import { type SecurityContext, type Spec, stageEnv } from './checks.ts';
import { envFile, envPairs, parseDockerfile, parseHaproxy, type Stage, yamlDocuments } from './parse.ts';

export const spec: Spec = fullEnvSpec();

// --- Dockerfile -------------------------------------------------------------------------------

export const dockerfile: Stage[] = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
export const runtimeStage: Stage = dockerfile.at(-1)!;
/** The environment the image sets for the gateway. */
export const imageEnv: Record<string, string> = stageEnv(runtimeStage, envPairs);

// --- compose.yaml -----------------------------------------------------------------------------

export interface ComposeHealthcheck {
  test?: string[] | string;
}
export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | { target?: number; published?: number | string }>;
  expose?: Array<string | number>;
  read_only?: boolean;
  tmpfs?: string | string[];
  cap_drop?: string[];
  security_opt?: string[];
  healthcheck?: ComposeHealthcheck;
  depends_on?: string[] | Record<string, { condition?: string }>;
  volumes?: Array<string | { source?: string; target?: string }>;
  command?: string | string[];
}

export const compose = parseYaml(readFileSync('compose.yaml', 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

/** A service's environment as name → value; `undefined` where Compose takes it from the shell. */
export function composeEnv(service: ComposeService): Record<string, string | undefined> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq < 0 ? [entry, undefined] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? undefined : String(v)]),
  );
}

/** depends_on as service → condition (`service_started` for the short list form). */
export function composeDependsOn(service: ComposeService): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.condition ?? 'service_started']));
}

/** The services built from this repository's Dockerfile: the gateway replicas. */
export const gatewayServices: Array<[string, ComposeService]> = Object.entries(compose.services).filter(
  ([, s]) => s.build !== undefined,
);

export const haproxyFile = 'deploy/compose/haproxy.cfg';
export const haproxy = parseHaproxy(readFileSync(haproxyFile, 'utf8'));

// --- deploy/kubernetes/ -----------------------------------------------------------------------

export const k8sDir = 'deploy/kubernetes';

export interface Kustomization {
  namespace?: string;
  resources?: string[];
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  configMapGenerator?: Array<{
    name: string;
    envs?: string[];
    files?: string[];
    literals?: string[];
    options?: { disableNameSuffixHash?: boolean };
  }>;
  secretGenerator?: unknown[];
}
export const kustomization = parseYaml(
  readFileSync(join(k8sDir, 'kustomization.yaml'), 'utf8'),
) as Kustomization;

export interface Probe {
  httpGet?: { path?: string; port?: number | string };
  exec?: { command?: string[] };
  tcpSocket?: { port?: number | string };
}
export interface EnvEntry {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}
export interface Container {
  name: string;
  image: string;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  env?: EnvEntry[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string; readOnly?: boolean }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
}
export interface PodSpec {
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: Array<{ name: string; configMap?: { name: string }; emptyDir?: object; secret?: object }>;
}
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
}
export interface Deployment extends K8sObject {
  spec: {
    replicas?: number;
    selector: { matchLabels?: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}
export interface Service extends K8sObject {
  spec: {
    selector?: Record<string, string>;
    ports: Array<{ name?: string; port: number; targetPort?: number | string }>;
  };
}
export interface NetworkPolicyPort {
  protocol?: string;
  port?: number | string;
}
export interface NetworkPolicy extends K8sObject {
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes?: string[];
    ingress?: Array<{ from?: unknown[]; ports?: NetworkPolicyPort[] }>;
    egress?: Array<{
      to?: Array<{ podSelector?: { matchLabels?: Record<string, string> } }>;
      ports?: NetworkPolicyPort[];
    }>;
  };
}

/** Every file of the folder that kustomize can list under resources. */
export const manifestFiles = readdirSync(k8sDir)
  .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
  .sort();

export const objects: K8sObject[] = manifestFiles.flatMap(
  (f) => yamlDocuments(join(k8sDir, f)) as K8sObject[],
);

export function object<T extends K8sObject>(kind: string, name: string): T {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1)
    throw new Error(`expected one ${kind} "${name}" in ${k8sDir}, found ${found.length}`);
  return found[0] as T;
}

export const gatewayDeployment = object<Deployment>('Deployment', 'gateway');
export const gatewayContainer: Container = gatewayDeployment.spec.template.spec.containers.find(
  (c) => c.name === 'gateway',
)!;
export const gatewayPodLabels = gatewayDeployment.spec.template.metadata.labels;

/** The generated ConfigMaps' data, by generator name (`envs` files and `literals`). */
export function generatedEnv(name: string): Record<string, string> {
  const generator = kustomization.configMapGenerator?.find((g) => g.name === name);
  if (!generator) throw new Error(`no configMapGenerator "${name}" in ${k8sDir}/kustomization.yaml`);
  const fromFiles = (generator.envs ?? []).map((f) => envFile(readFileSync(join(k8sDir, f), 'utf8')));
  const fromLiterals = envFile((generator.literals ?? []).join('\n'));
  return Object.assign({}, ...fromFiles, fromLiterals);
}

/** The environment of the gateway container: its ConfigMaps (envFrom), then its own env entries. */
export function gatewayEnvironment(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const from of gatewayContainer.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, generatedEnv(from.configMapRef.name));
  }
  for (const e of gatewayContainer.env ?? []) env[e.name] = e.value;
  return env;
}

/** The port a probe, Service or policy names, resolved against the container's named ports. */
export function containerPort(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (port !== undefined && /^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

export const exists = (path: string) => existsSync(path);
