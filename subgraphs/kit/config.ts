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

export function url<O extends Opts & { protocols?: string[] }>(opts: O): WithDefault<O, string> {
  const protocols = opts.protocols ?? ['http:', 'https:'];
  return spec<O, string>({
    ...opts,
    allowed: `an absolute URL (${protocols.join(' or ')})`,
    parse: (raw) => {
      try {
        const u = new URL(raw);
        if (!protocols.includes(u.protocol)) return undefined;
        // Base URLs are joined with paths; a trailing slash would double up.
        return raw.replace(/\/+$/, '');
      } catch {
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
