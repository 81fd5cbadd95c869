/**
 * Vitest global setup: finds the services some tests need (Redis at REDIS_URL, a Chromium) once per
 * run and tells the tests. Missing ones are named in one summary line and their tests skip — on a
 * laptop `npm test` still runs everything else. With CI=true a missing service fails the run at
 * once (`.ci/run` starts Redis and installs Debian's chromium first).
 */
import type { TestProject } from 'vitest/node';
import { canConnect } from '../../gateway/src/reachability.ts';
import { findChromium, redisUrl } from '../helpers/services.ts';

export default async function setup(project: TestProject): Promise<void> {
  // A TCP connection to Redis's host and port within a second, as the gateway checks agency hosts.
  const redis = await canConnect(redisUrl(), 1_000);
  const chromium = findChromium() ?? '';
  const missing: string[] = [];
  if (!redis) missing.push(`Redis is not reachable at ${redisUrl()} (start one, or set REDIS_URL)`);
  if (!chromium) missing.push('no Chromium was found (install one, or set CHROME_PATH)');
  if (missing.length > 0) {
    if (process.env['CI'] === 'true') {
      throw new Error(
        `CI=true needs every service the tests use: ${missing.join('; ')}. .ci/run provides them.`,
      );
    }
    process.stderr.write(`\n⚠ Tests that need these are skipped: ${missing.join('; ')}.\n\n`);
  }
  project.provide('redis', redis);
  project.provide('chromium', chromium);
}
