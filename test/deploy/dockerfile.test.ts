/**
 * The Dockerfile and .dockerignore: a build stage that compiles, a runtime stage with production
 * dependencies only that runs as non-root, exposes the port the gateway listens on, checks /health
 * with Node and holds every file the gateway reads relative to its working directory.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envProblems, healthcheckProblems, instructions, runtimeStageProblems } from './checks.ts';
import { dockerfile, exists, gatewayDeployment, imageEnv, runtimeStage, spec } from './files.ts';
import { dockerignore, type Stage, shellWords, splitFlags } from './parse.ts';

const ignored = dockerignore(readFileSync('.dockerignore', 'utf8'));
const buildStage = dockerfile[0]!;
const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as {
  type?: string;
  scripts: Record<string, string>;
};

/** Where a COPY puts its files, as an absolute path in the image. */
function copies(stage: Stage): Array<{ from: string | undefined; sources: string[]; dest: string }> {
  let workdir = '/';
  const out: Array<{ from: string | undefined; sources: string[]; dest: string }> = [];
  for (const ins of stage.instructions) {
    if (ins.keyword === 'WORKDIR') workdir = posix.resolve(workdir, ins.args);
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    const { flags, words } = splitFlags(ins.args);
    out.push({
      from: flags['from'],
      sources: words.slice(0, -1),
      dest: posix.resolve(workdir, words.at(-1)!),
    });
  }
  return out;
}

function workdir(stage: Stage): string {
  return instructions(stage, 'WORKDIR').reduce((dir, i) => posix.resolve(dir, i.args), '/');
}

/** Every file under a folder (no node_modules). */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((f) => join(dir, f).split('\\').join('/'))
    .filter((f) => !f.includes('node_modules') && statSync(f).isFile());
}

describe('Dockerfile: build stage', () => {
  it('starts from node:24-bookworm-slim and is named, so the runtime stage can copy from it', () => {
    expect(buildStage.image).toBe('node:24-bookworm-slim');
    expect(buildStage.name).toBeDefined();
    expect(copies(runtimeStage).some((c) => c.from === buildStage.name)).toBe(true);
  });

  it('installs every dependency from the lock file, copies the sources, then runs npm run build', () => {
    const order = buildStage.instructions.map((i) => `${i.keyword} ${i.args}`);
    const ci = order.findIndex((l) => /^RUN npm ci\b/.test(l));
    const sources = order.indexOf('COPY . .');
    const build = order.findIndex((l) => /^RUN npm run build\b/.test(l));
    expect(ci, 'RUN npm ci').toBeGreaterThanOrEqual(0);
    expect(order[ci]).not.toMatch(/--omit|--production/);
    expect(sources, 'COPY . .').toBeGreaterThan(ci);
    expect(build, 'RUN npm run build').toBeGreaterThan(sources);
    expect(packageJson.scripts['build']).toBeDefined();
  });
});

describe('Dockerfile: runtime stage', () => {
  it('has production dependencies only, runs as non-root and runs the compiled gateway with node', () => {
    expect(runtimeStageProblems(dockerfile)).toEqual([]);
  });

  it('sets NODE_ENV=production, HOST=0.0.0.0 and PORT, all variables the gateway accepts', () => {
    expect(imageEnv).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '4000' });
    expect(envProblems('Dockerfile ENV', imageEnv, spec)).toEqual([]);
  });

  it('exposes the port the gateway listens on', () => {
    const exposed = instructions(runtimeStage, 'EXPOSE').flatMap((i) => shellWords(i.args));
    expect(exposed).toEqual([imageEnv['PORT']]);
  });

  it('checks /health with Node, on PORT', () => {
    expect(healthcheckProblems(runtimeStage, '/health')).toEqual([]);
  });

  it('runs as the numeric user that Kubernetes runs the pod as', () => {
    const user = instructions(runtimeStage, 'USER').at(-1)!.args.split(':')[0];
    expect(user).toMatch(/^[1-9][0-9]*$/);
    expect(gatewayDeployment.spec.template.spec.securityContext?.runAsUser).toBe(Number(user));
  });

  it('holds dist/ from the build stage and package.json ("type": "module") in its working directory', () => {
    const dir = workdir(runtimeStage);
    const c = copies(runtimeStage);
    expect(c).toContainEqual({
      from: buildStage.name,
      sources: [`${workdir(buildStage)}/dist`],
      dest: `${dir}/dist`,
    });
    expect(c.some((x) => x.from === undefined && x.sources.includes('package.json') && x.dest === dir)).toBe(
      true,
    );
    expect(packageJson.type).toBe('module');
  });

  it('holds every file the gateway reads relative to its working directory, at its default path', () => {
    const dir = workdir(runtimeStage);
    const c = copies(runtimeStage).filter((x) => x.from === undefined);
    for (const variable of ['SUPERGRAPH_FILE', 'SUBGRAPHS_FILE', 'SNAPSHOT_DIR']) {
      const path = spec[variable]?.default;
      expect(path, `${variable} has a default`).toBeDefined();
      expect(posix.isAbsolute(path!)).toBe(false);
      const top = path!.split('/')[0]!;
      const copied = c.some((x) => x.sources.includes(top) && x.dest === posix.join(dir, top));
      expect(copied, `COPY ${top} ./${top} (${variable}=${path})`).toBe(true);
      expect(exists(path!), `${path} in the repository`).toBe(true);
    }
  });
});

describe('.dockerignore', () => {
  it('leaves out installed and built output, history, tests and benchmarks', () => {
    for (const path of [
      'node_modules/graphql/index.js',
      'subgraphs/smhi/node_modules/x/index.js',
      'dist/gateway/src/main.js',
      '.git/HEAD',
      'test/deploy/dockerfile.test.ts',
      'subgraphs/smhi/smhi.test.ts',
      'coverage/index.html',
      'bench/run.ts',
      '.env',
      'npm-debug.log',
    ])
      expect(ignored(path), path).toBe(true);
  });

  it('lets through every file a COPY names', () => {
    for (const stage of dockerfile)
      for (const copy of copies(stage).filter((c) => c.from === undefined))
        for (const source of copy.sources.filter((s) => s !== '.')) {
          expect(exists(source), `${source} exists`).toBe(true);
          expect(ignored(source), `${source} is in the build context`).toBe(false);
        }
  });

  it('lets through everything npm run build compiles and copies (tsconfig.build.json, scripts/build.mjs)', () => {
    const script = packageJson.scripts['build']!;
    const entry = /^node (\S+)/.exec(script)?.[1];
    expect(entry, `npm run build is "${script}"`).toBeDefined();
    const tsconfig = JSON.parse(readFileSync('tsconfig.build.json', 'utf8').replace(/^\s*\/\/.*$/gm, '')) as {
      extends?: string;
      include: string[];
    };
    const roots = /const ROOTS = \[([^\]]*)\]/.exec(readFileSync(entry!, 'utf8'))?.[1];
    expect(roots, `${entry} names its ROOTS`).toBeDefined();
    const dirs = new Set([...tsconfig.include, ...[...roots!.matchAll(/'([^']+)'/g)].map((m) => m[1]!)]);
    const files = [
      'package.json',
      'package-lock.json',
      entry!,
      'tsconfig.build.json',
      posix.normalize(tsconfig.extends!),
    ];
    for (const dir of dirs) files.push(...filesUnder(dir).filter((f) => !/\.(md)$|\.test\.ts$/.test(f)));
    expect(files.filter((f) => ignored(f))).toEqual([]);
  });
});
