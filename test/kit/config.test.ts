import { describe, expect, it } from 'vitest';
import { bool, ConfigError, int, oneOf, readEnv, str, url } from '../../kit/config.ts';

const spec = {
  PORT: int({ description: 'port', default: '4000', min: 0, max: 65535 }),
  MODE: oneOf({ description: 'mode', default: 'live', values: ['live', 'snapshot', 'record'] as const }),
  BASE_URL: url({ description: 'base', default: 'https://opendata.test/api/' }),
  CACHE_URL: url({ description: 'cache', protocols: ['redis:', 'rediss:'] }),
  API_KEY: str({ description: 'key', secret: true }),
  DEBUG: bool({ description: 'debug', default: 'false' }),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    readEnv(spec, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('readEnv', () => {
  it('uses defaults for unset and empty variables, and parses typed values', () => {
    expect(readEnv(spec, { PORT: '', DEBUG: '1' })).toEqual({
      PORT: 4000,
      MODE: 'live',
      BASE_URL: 'https://opendata.test/api',
      CACHE_URL: undefined,
      API_KEY: undefined,
      DEBUG: true,
    });
    expect(readEnv(spec, { PORT: '0', MODE: 'snapshot', CACHE_URL: 'redis://r:6379' })).toMatchObject({
      PORT: 0,
      MODE: 'snapshot',
      CACHE_URL: 'redis://r:6379',
    });
  });

  it('names the variable, echoes the value and says what is allowed', () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual([
      'PORT="abc" is not allowed; expected an integer from 0 to 65535.',
    ]);
    expect(problemsOf({ PORT: '70000' })).toEqual([
      'PORT="70000" is not allowed; expected an integer from 0 to 65535.',
    ]);
    expect(problemsOf({ MODE: 'foo' })).toEqual([
      'MODE="foo" is not allowed; expected one of "live", "snapshot", "record".',
    ]);
    expect(problemsOf({ CACHE_URL: 'http://localhost:6379' })).toEqual([
      'CACHE_URL="http://localhost:6379" is not allowed; expected an absolute URL (redis: or rediss:).',
    ]);
    expect(problemsOf({ DEBUG: 'yes' })).toEqual(['DEBUG="yes" is not allowed; expected "true" or "false".']);
  });

  it('reports every bad variable at once, in one message', () => {
    let message = '';
    try {
      readEnv(spec, { PORT: '1.5', MODE: 'Live', BASE_URL: 'not a url' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration:\n/);
    for (const name of ['PORT="1.5"', 'MODE="Live"', 'BASE_URL="not a url"']) expect(message).toContain(name);
  });

  it('never echoes a secret value', () => {
    const secretSpec = { TOKEN: { ...int({ description: 't', min: 1, max: 2 }), secret: true } };
    let message = '';
    try {
      readEnv(secretSpec, { TOKEN: 'hunter2' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('TOKEN=(hidden) is not allowed');
    expect(message).not.toContain('hunter2');
  });
});
