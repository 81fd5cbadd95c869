/**
 * The invariants of the deployment files as functions that return the problems they find, so that
 * the tests run them on the real files (expecting none) and on broken copies (expecting some).
 */
import { startCommand } from '../../bench/start-command.ts';
import { execForm, type Instruction, type Stage, shellWords, splitFlags } from './parse.ts';

/** What the checks need of one environment variable of `fullEnvSpec()`. */
export interface SpecVar {
  readonly secret?: boolean;
  readonly default?: string | undefined;
  parse(raw: string): unknown;
}
export type Spec = Record<string, SpecVar>;

/** Set by the container platform and read by Node and npm, not by the gateway's Config. */
export const ALLOWED_EXTRA_ENV = new Set(['NODE_ENV']);

/**
 * Variables set in one place: each must be one the gateway reads, a literal value must be one it
 * accepts, and a credential must never be written into a file (`undefined` = the value comes from
 * elsewhere: the caller's shell, a Secret).
 */
export function envProblems(where: string, env: Record<string, string | undefined>, spec: Spec): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    const variable = spec[name];
    if (!variable) {
      if (!ALLOWED_EXTRA_ENV.has(name))
        problems.push(`${where}: ${name} is not a variable the gateway reads`);
      continue;
    }
    if (value === undefined || value === '') continue;
    if (variable.secret) problems.push(`${where}: ${name} is a credential and must not be written here`);
    else if (variable.parse(value) === undefined)
      problems.push(`${where}: ${name}=${JSON.stringify(value)} is refused by the gateway's config`);
  }
  return problems;
}

/** The instructions of a stage with this keyword. */
export const instructions = (stage: Stage, keyword: string): Instruction[] =>
  stage.instructions.filter((i) => i.keyword === keyword);

/** `ENV` values of a stage, later ones winning. */
export function stageEnv(stage: Stage, envPairs: (args: string) => Record<string, string>) {
  return Object.assign({}, ...instructions(stage, 'ENV').map((i) => envPairs(i.args))) as Record<
    string,
    string
  >;
}

/** The runtime (last) stage of the Dockerfile: production dependencies only, non-root, the documented command. */
export function runtimeStageProblems(stages: Stage[]): string[] {
  const problems: string[] = [];
  const runtime = stages.at(-1);
  if (!runtime || stages.length < 2) return ['expected a multi-stage Dockerfile (build, then runtime)'];
  if (!/^node:24(\.[0-9]+)*-([a-z]+-)?slim$/.test(runtime.image))
    problems.push(`runtime image ${runtime.image} is not a Node 24 slim image`);
  const runs = instructions(runtime, 'RUN').map((i) => i.args);
  const installs = runs.filter((r) => /\bnpm\s+(ci|install|i)\b/.test(r));
  if (installs.length === 0) problems.push('runtime stage installs no dependencies (npm ci --omit=dev)');
  for (const run of installs) {
    const words = shellWords(run);
    if (!/\bnpm\s+ci\b/.test(run)) problems.push(`runtime stage runs "${run}": use npm ci (the lock file)`);
    if (!words.includes('--omit=dev') && !/--omit\s+dev\b/.test(run))
      problems.push(`runtime stage runs "${run}" without --omit=dev: dev dependencies would ship`);
  }
  for (const run of runs)
    if (/\bnpm\s+run\b|\btsc\b/.test(run))
      problems.push(`runtime stage builds ("${run}"): build in the build stage`);
  for (const copy of instructions(runtime, 'COPY')) {
    const { flags, words } = splitFlags(copy.args);
    if (flags['from'] && words.slice(0, -1).some((src) => /node_modules/.test(src)))
      problems.push(
        `runtime stage copies node_modules from stage ${flags['from']}: dev dependencies would ship`,
      );
    if (!flags['from'] && words.slice(0, -1).includes('.'))
      problems.push('runtime stage copies the whole build context');
  }
  const users = instructions(runtime, 'USER');
  const user = users.at(-1)?.args.split(':')[0];
  if (!user) problems.push('runtime stage sets no USER: the gateway would run as root');
  else if (user === 'root' || user === '0') problems.push(`runtime stage runs as ${user}`);
  const cmd = instructions(runtime, 'CMD').at(-1);
  const command = cmd ? execForm(cmd.args) : undefined;
  // What `npm start` runs, V8 flags included: the container starts the gateway as measured.
  const expected = startCommand(process.cwd());
  if (JSON.stringify(command) !== JSON.stringify(expected))
    problems.push(
      `runtime CMD is ${cmd?.args ?? 'missing'}; expected ${JSON.stringify(expected)} (npm start's command)`,
    );
  if (instructions(runtime, 'ENTRYPOINT').length > 0)
    problems.push('runtime stage sets an ENTRYPOINT: the CMD is the whole command');
  return problems;
}

/** The HEALTHCHECK of a stage: exec form, Node (no curl in slim images), asking this path on PORT. */
export function healthcheckProblems(stage: Stage, path: string): string[] {
  const healthcheck = instructions(stage, 'HEALTHCHECK').at(-1);
  if (!healthcheck) return ['no HEALTHCHECK'];
  const m = /^(.*?)\bCMD\s+(.*)$/s.exec(healthcheck.args);
  if (!m) return [`HEALTHCHECK ${healthcheck.args} has no CMD`];
  const command = execForm(m[2]!.trim());
  if (!command) return ['HEALTHCHECK CMD is not in exec form'];
  return healthcheckCommandProblems('HEALTHCHECK', command, path);
}

/** A health-check command run in the gateway's image: `node -e` fetching `path` on the configured port. */
export function healthcheckCommandProblems(
  where: string,
  command: readonly string[],
  path: string,
): string[] {
  const problems: string[] = [];
  if (command[0] !== 'node') problems.push(`${where} runs ${command[0]}, which the slim image may not have`);
  const script = command.slice(1).join(' ');
  // The path as a whole string literal: '/health', not '/healthz'.
  if (!new RegExp(`['"\`]${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"\`]`).test(script))
    problems.push(`${where} does not ask ${path}`);
  if (!script.includes('process.env.PORT')) problems.push(`${where} does not use PORT`);
  if (!/process\.exit\(/.test(script)) problems.push(`${where} does not set its exit status`);
  return problems;
}

/** What a Kubernetes container must have: non-root, read-only root file system, no privilege. */
export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}

export function containerSecurityProblems(
  where: string,
  pod: SecurityContext | undefined,
  container: SecurityContext | undefined,
): string[] {
  const problems: string[] = [];
  const nonRoot = container?.runAsNonRoot ?? pod?.runAsNonRoot;
  const uid = container?.runAsUser ?? pod?.runAsUser;
  if (nonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
  if (uid === 0) problems.push(`${where}: runAsUser is 0`);
  if (container?.readOnlyRootFilesystem !== true)
    problems.push(`${where}: readOnlyRootFilesystem is not true`);
  if (container?.allowPrivilegeEscalation !== false)
    problems.push(`${where}: allowPrivilegeEscalation is not false`);
  if (!container?.capabilities?.drop?.includes('ALL'))
    problems.push(`${where}: capabilities are not all dropped`);
  if ((container?.capabilities?.add ?? []).length > 0) problems.push(`${where}: adds capabilities`);
  const seccomp = container?.seccompProfile?.type ?? pod?.seccompProfile?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
    problems.push(`${where}: no seccomp profile (the restricted Pod Security Standard requires one)`);
  return problems;
}

/** Whether a label selector's matchLabels select pods with these labels. */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Bytes of a Kubernetes memory quantity (`256Mi`, `1G`, `500M`). */
export function bytes(quantity: string): number {
  const m = /^([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!m) throw new Error(`not a memory quantity: ${quantity}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? unit[m[2] as keyof typeof unit] : 1);
}

/** Millicores of a Kubernetes CPU quantity (`250m`, `1`, `0.5`). */
export function millicores(quantity: string | number): number {
  const text = String(quantity);
  return text.endsWith('m') ? Number(text.slice(0, -1)) : Number(text) * 1000;
}
