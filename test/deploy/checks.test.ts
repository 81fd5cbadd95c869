/**
 * The readers and checks behind the deployment tests, on small inputs: each check finds the
 * problem it is there for (so a passing deployment test means the files are right, not that the
 * check is blind), and the readers follow the formats' rules.
 */
import { describe, expect, it } from 'vitest';
import {
  bytes,
  containerSecurityProblems,
  envProblems,
  healthcheckProblems,
  millicores,
  runtimeStageProblems,
  type SecurityContext,
  selects,
} from './checks.ts';
import { spec } from './files.ts';
import {
  composeValue,
  dockerignore,
  envFile,
  envPairs,
  parseDockerfile,
  parseHaproxy,
  parseInstructions,
  shellWords,
} from './parse.ts';

const GOOD = `
FROM node:24-bookworm-slim AS build
RUN npm ci
RUN npm run build

FROM node:24-bookworm-slim
WORKDIR /app
RUN npm ci --omit=dev
COPY --from=build /app/dist ./dist
USER 1000:1000
HEALTHCHECK CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1))"]
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=30", "dist/gateway/src/main.js"]
`;

describe('runtimeStageProblems', () => {
  it('accepts a runtime stage with production dependencies, a user and the documented command', () => {
    expect(runtimeStageProblems(parseDockerfile(GOOD))).toEqual([]);
  });

  it.each([
    ['dev dependencies installed', 'RUN npm ci --omit=dev', 'RUN npm ci', /without --omit=dev/],
    ['npm install instead of npm ci', 'RUN npm ci --omit=dev', 'RUN npm install --omit=dev', /use npm ci/],
    ['a build in the runtime stage', 'USER 1000:1000', 'RUN npm run build\nUSER 1000:1000', /builds/],
    [
      'node_modules copied',
      './dist',
      './dist\nCOPY --from=build /app/node_modules ./node_modules',
      /node_modules/,
    ],
    ['root', 'USER 1000:1000', 'USER root', /runs as root/],
    ['no user', 'USER 1000:1000', '', /no USER/],
    [
      'another command',
      'CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=30", "dist/gateway/src/main.js"]',
      'CMD npm start',
      /runtime CMD/,
    ],
    [
      "other V8 flags than npm start's",
      'CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=30", "dist/gateway/src/main.js"]',
      'CMD ["node", "dist/gateway/src/main.js"]',
      /npm start's command/,
    ],
    [
      'a non-slim image',
      'FROM node:24-bookworm-slim\nWORKDIR',
      'FROM node:24\nWORKDIR',
      /not a Node 24 slim/,
    ],
  ])('finds %s', (_what, from, to, problem) => {
    expect(GOOD.split(from)).toHaveLength(2);
    const broken = GOOD.replace(from, to);
    expect(runtimeStageProblems(parseDockerfile(broken)).join('\n')).toMatch(problem);
  });

  it('wants two stages', () => {
    expect(
      runtimeStageProblems(parseDockerfile('FROM node:24-slim\nCMD ["node", "dist/gateway/src/main.js"]')),
    ).toEqual(['expected a multi-stage Dockerfile (build, then runtime)']);
  });
});

describe('healthcheckProblems', () => {
  const runtime = (text: string) => parseDockerfile(`FROM a AS b\nFROM c\n${text}`).at(-1)!;

  it('accepts Node asking /health on PORT', () => {
    expect(healthcheckProblems(parseDockerfile(GOOD).at(-1)!, '/health')).toEqual([]);
  });

  it('finds curl, another path, a fixed port, the shell form and a missing check', () => {
    expect(
      healthcheckProblems(
        runtime('HEALTHCHECK CMD ["curl", "-f", "http://localhost:4000/health"]'),
        '/health',
      ),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/runs curl/),
        expect.stringMatching(/does not use PORT/),
      ]),
    );
    expect(
      healthcheckProblems(
        runtime(
          `HEALTHCHECK CMD ["node", "-e", "fetch('http://x:' + process.env.PORT + '/healthz').then(() => process.exit(0))"]`,
        ),
        '/health',
      ),
    ).toEqual([expect.stringMatching(/does not ask \/health/)]);
    expect(healthcheckProblems(runtime('HEALTHCHECK CMD node check.js'), '/health')).toEqual([
      'HEALTHCHECK CMD is not in exec form',
    ]);
    expect(healthcheckProblems(runtime(''), '/health')).toEqual(['no HEALTHCHECK']);
  });
});

describe('envProblems', () => {
  it('accepts variables of the gateway with values it accepts, NODE_ENV, and credentials given elsewhere', () => {
    expect(
      envProblems(
        'x',
        { PORT: '4000', UPSTREAM_MODE: 'offline', NODE_ENV: 'production', LM_PASSWORD: undefined },
        spec,
      ),
    ).toEqual([]);
  });

  it('finds an unknown variable, a refused value and a credential written into a file', () => {
    expect(envProblems('x', { PORTT: '4000', UPSTREAM_MODE: 'demo', JOBTECH_API_KEY: 'k' }, spec)).toEqual([
      'x: PORTT is not a variable the gateway reads',
      'x: UPSTREAM_MODE="demo" is refused by the gateway\'s config',
      'x: JOBTECH_API_KEY is a credential and must not be written here',
    ]);
  });
});

describe('containerSecurityProblems', () => {
  const good: SecurityContext = {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
  };
  const pod: SecurityContext = { runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } };

  it('accepts non-root, read-only, no escalation, no capabilities, a seccomp profile', () => {
    expect(containerSecurityProblems('c', pod, good)).toEqual([]);
  });

  const broken: Array<[string, SecurityContext, RegExp]> = [
    ['root', { ...good, runAsNonRoot: false }, /runAsNonRoot/],
    ['uid 0', { ...good, runAsUser: 0 }, /runAsUser is 0/],
    ['a writable root file system', { ...good, readOnlyRootFilesystem: false }, /readOnlyRootFilesystem/],
    ['privilege escalation', { ...good, allowPrivilegeEscalation: true }, /allowPrivilegeEscalation/],
    ['capabilities kept', { ...good, capabilities: { drop: ['NET_RAW'] } }, /not all dropped/],
    [
      'capabilities added',
      { ...good, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } },
      /adds capabilities/,
    ],
  ];
  it.each(broken)('finds %s', (_what, container, problem) => {
    expect(containerSecurityProblems('c', pod, container).join('\n')).toMatch(problem);
  });

  it('finds a missing seccomp profile', () => {
    expect(containerSecurityProblems('c', { runAsUser: 1000 }, good)).toEqual([
      'c: no seccomp profile (the restricted Pod Security Standard requires one)',
    ]);
  });
});

describe('selects', () => {
  it('selects pods having every label of the selector, never with an empty selector', () => {
    expect(selects({ a: '1' }, { a: '1', b: '2' })).toBe(true);
    expect(selects({ a: '1', c: '3' }, { a: '1', b: '2' })).toBe(false);
    expect(selects({ a: '2' }, { a: '1' })).toBe(false);
    expect(selects({}, { a: '1' })).toBe(false);
    expect(selects(undefined, { a: '1' })).toBe(false);
  });
});

describe('quantities', () => {
  it('reads memory and CPU quantities', () => {
    expect(bytes('256Mi')).toBe(268_435_456);
    expect(bytes('1G')).toBe(1e9);
    expect(millicores('250m')).toBe(250);
    expect(millicores('1')).toBe(1000);
    expect(millicores('0.5')).toBe(500);
    expect(() => bytes('lots')).toThrow(/not a memory quantity/);
  });
});

describe('Dockerfile reader', () => {
  it('joins continuation lines, skips comments (also inside a continuation) and keeps line numbers', () => {
    const ins = parseInstructions('# c\nFROM x AS y\n\nRUN a \\\n  # inside\n  && b\nexpose 1\n');
    expect(ins).toEqual([
      { keyword: 'FROM', args: 'x AS y', line: 2 },
      { keyword: 'RUN', args: 'a  && b', line: 4 },
      { keyword: 'EXPOSE', args: '1', line: 7 },
    ]);
  });

  it('groups instructions by stage', () => {
    const stages = parseDockerfile(
      'ARG V=1\nFROM --platform=linux/amd64 node:24 AS build\nRUN a\nFROM node:24-slim\nCMD ["b"]',
    );
    expect(stages.map((s) => [s.image, s.name, s.instructions.length])).toEqual([
      ['node:24', 'build', 1],
      ['node:24-slim', undefined, 1],
    ]);
  });

  it('reads ENV in both forms, with quotes', () => {
    expect(envPairs('A=1 B="two words" C=\'x\'')).toEqual({ A: '1', B: 'two words', C: 'x' });
    expect(envPairs('NAME some value')).toEqual({ NAME: 'some value' });
    expect(shellWords(`a "b c" 'd e' f\\ g`)).toEqual(['a', 'b c', 'd e', 'f g']);
  });
});

describe('.dockerignore reader', () => {
  const ignored = dockerignore(
    '# comment\n**/node_modules\n/dist\n*.log\ndocs\n!docs/keep.md\nsrc/**/*.test.ts\n',
  );

  it('matches a folder and everything in it, at any depth with **', () => {
    expect(ignored('node_modules/a/b.js')).toBe(true);
    expect(ignored('packages/x/node_modules/a.js')).toBe(true);
    expect(ignored('dist/main.js')).toBe(true);
    expect(ignored('src/a/b/c.test.ts')).toBe(true);
    expect(ignored('src/c.test.ts')).toBe(true);
  });

  it('keeps * within one segment and lets ! re-include', () => {
    expect(ignored('npm.log')).toBe(true);
    expect(ignored('logs/npm.log')).toBe(false);
    expect(ignored('docs/guide.md')).toBe(true);
    expect(ignored('docs/keep.md')).toBe(false);
    expect(ignored('src/main.ts')).toBe(false);
    expect(ignored('distribution/x')).toBe(false);
  });
});

describe('other readers', () => {
  it("applies Compose's defaults and knows when a value needs the caller's environment", () => {
    // Compose's own `${…}` syntax in plain strings, not template literals.
    const [mode, host, escaped, key] = ['{MODE:-offline}', '{HOST-redis}', '{NOT}', '{KEY}'].map(
      (v) => `$${v}`,
    );
    expect(composeValue(mode!)).toEqual({ known: true, value: 'offline' });
    expect(composeValue(`redis://${host}:6379`)).toEqual({ known: true, value: 'redis://redis:6379' });
    expect(composeValue(`$${escaped}`)).toEqual({ known: true, value: escaped });
    expect(composeValue(key!)).toEqual({ known: false });
  });

  it('reads env files and HAProxy sections', () => {
    expect(envFile('# c\nA=1\n\nB=x=y\n')).toEqual({ A: '1', B: 'x=y' });
    expect(() => envFile('A')).toThrow(/expected NAME=value/);
    const sections = parseHaproxy('global\n  log stdout\nbackend b # note\n  server s1 h:1 check\n');
    expect(sections).toEqual([
      { kind: 'global', name: undefined, lines: [['log', 'stdout']] },
      { kind: 'backend', name: 'b', lines: [['server', 's1', 'h:1', 'check']] },
    ]);
  });
});
