/**
 * Typed environment configuration. Each module declares the variables it reads as an `EnvSpec`;
 * only entry files pass `process.env` in. A bad value stops start-up with a message that names the
 * variable and what is allowed.
 */

export interface EnvVar<T> {
  /** What the variable does, for the README table and error messages. */
  readonly description: string;
  /** Raw default used when the variable is unset or empty; `undefined` = optional with no value. */
  readonly default?: string | undefined;
  /** Never echo the value back (credentials). */
  readonly secret?: boolean;
  /** Human-readable description of what is allowed, e.g. "an integer 1–65535". */
  readonly allowed: string;
  /** Parses a raw value; returns `undefined` when invalid. */
  parse(raw: string): T | undefined;
}

export type EnvSpec = Record<string, EnvVar<unknown>>;
export type EnvValues<S extends EnvSpec> = {
  [K in keyof S]: S[K] extends EnvVar<infer T> ? (S[K]['default'] extends string ? T : T | undefined) : never;
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function readEnv<S extends EnvSpec>(spec: S, env: Record<string, string | undefined>): EnvValues<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(spec)) {
    const given = env[name];
    const raw = given === undefined || given === '' ? variable.default : given;
    if (raw === undefined) {
      out[name] = undefined;
      continue;
    }
    const value = variable.parse(raw);
    if (value === undefined) {
      const shown = variable.secret ? '(hidden)' : JSON.stringify(raw);
      problems.push(`${name}=${shown} is not allowed; expected ${variable.allowed}.`);
    } else {
      out[name] = value;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as EnvValues<S>;
}

type Opts = { description: string; default?: string; secret?: boolean };
/** Keeps whether a default was given in the type, so `EnvValues` knows the value is always set. */
type WithDefault<O extends Opts, T> = EnvVar<T> &
  (O extends { default: string } ? { default: string } : { default?: undefined });
const spec = <O extends Opts, T>(variable: EnvVar<T>) => variable as unknown as WithDefault<O, T>;

export function str<O extends Opts>(opts: O): WithDefault<O, string> {
  return spec<O, string>({
    ...opts,
    allowed: 'a non-empty string',
    parse: (raw) => (raw.trim() === '' ? undefined : raw),
  });
}

export function int<O extends Opts & { min: number; max: number }>(opts: O): WithDefault<O, number> {
  return spec<O, number>({
    ...opts,
    allowed: `an integer from ${opts.min} to ${opts.max}`,
    parse: (raw) => {
      if (!/^-?\d+$/.test(raw.trim())) return undefined;
      const n = Number(raw);
      return n >= opts.min && n <= opts.max ? n : undefined;
    },
  });
}

/**
 * An absolute URL with one of `protocols` (default http: and https:). An http(s) base URL with
 * credentials in it (`https://user:pass@host`) is refused: the agency clients join paths onto it, so
 * the secret would end up in logs and cache keys, or be dropped silently. Credentials have their
 * own (secret) variables. A Redis URL keeps them: `redis://:password@host` is how Redis is
 * authenticated and the URL is only ever handed to the Redis client. A value with credentials is
 * never echoed in the start-up error.
 */
export function url<O extends Opts & { protocols?: string[] }>(opts: O): WithDefault<O, string> {
  const protocols = opts.protocols ?? ['http:', 'https:'];
  const base = `an absolute URL (${protocols.join(' or ')})`;
  // Whether the value parsed last carried credentials: readEnv reads `secret` and `allowed` right
  // after a failed parse, so the message then hides the value and says what to do instead.
  let lastHadCredentials = false;
  return spec<O, string>({
    ...opts,
    get secret() {
      return opts.secret === true || lastHadCredentials;
    },
    get allowed() {
      return lastHadCredentials
        ? `${base} without credentials in it: user:password@ in a base URL is refused (it would end up in logs and cache keys); set the API's credential variables instead (see "Configuration" in README.md)`
        : base;
    },
    parse: (raw) => {
      lastHadCredentials = false;
      try {
        const u = new URL(raw);
        lastHadCredentials = u.username !== '' || u.password !== '';
        if (!protocols.includes(u.protocol)) return undefined;
        if (lastHadCredentials && (u.protocol === 'http:' || u.protocol === 'https:')) return undefined;
        // Base URLs are joined with paths; a trailing slash would double up.
        return raw.replace(/\/+$/, '');
      } catch {
        // Not a URL at all: still never echo something that looks like user:password@host.
        lastHadCredentials = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(raw.trim());
        return undefined;
      }
    },
  });
}

export function oneOf<
  const T extends string,
  O extends Opts & { values: readonly T[] } = Opts & { values: readonly T[] },
>(opts: O & { values: readonly T[] }): WithDefault<O, T> {
  return spec<O, T>({
    ...opts,
    allowed: `one of ${opts.values.map((v) => `"${v}"`).join(', ')}`,
    parse: (raw) => ((opts.values as readonly string[]).includes(raw) ? (raw as T) : undefined),
  });
}

export function bool<O extends Opts>(opts: O): WithDefault<O, boolean> {
  return spec<O, boolean>({
    ...opts,
    allowed: '"true" or "false"',
    parse: (raw) =>
      raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : undefined,
  });
}
