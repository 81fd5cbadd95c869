/**
 * The services some tests need besides Node: a Redis and a Chromium. `test/setup/services.ts` looks
 * for them once per run; tests that need one skip when it is missing (one summary line says so),
 * except with CI=true, where a missing service fails the run.
 */
import { existsSync } from 'node:fs';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Redis answered at REDIS_URL when the run started. */
    redis: boolean;
    /** The Chromium executable found, or '' when none was. */
    chromium: string;
  }
}

/** Where the tests find Redis: REDIS_URL (default redis://127.0.0.1:6379), on database `db` if given. */
export function redisUrl(db?: number): string {
  const url = new URL(process.env['REDIS_URL'] || 'redis://127.0.0.1:6379');
  url.pathname = db === undefined ? '' : `/${db}`;
  return url.toString().replace(/\/$/, '');
}

/** Chromium where it usually lives: CHROME_PATH, then Debian/Ubuntu, macOS and Windows paths. */
export function findChromium(): string | undefined {
  const candidates = [
    process.env['CHROME_PATH'],
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
  ];
  return candidates.find((path) => path !== undefined && path !== '' && existsSync(path));
}

/** Whether this run has a Redis (decided once, by the global setup). */
export const hasRedis = (): boolean => inject('redis');
/** This run's Chromium, or '' (decided once, by the global setup). */
export const chromiumPath = (): string => inject('chromium');
