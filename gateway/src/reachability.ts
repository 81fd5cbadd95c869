/**
 * Started in live mode on a machine without internet, every query would wait for timeouts and
 * retries before failing. So at start-up the gateway tries a TCP connection to each agency's host
 * (a few seconds at most, in the background) and says at once when none can be reached, with the
 * way out: offline mode.
 */
import { connect } from 'node:net';
import type { Logger } from '../../kit/logger.ts';

/** The port a URL without one means. */
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'redis:': 6379, 'rediss:': 6379 };

/** Whether a TCP connection to `url`'s host and port (http, https or redis) opens within `timeoutMs`. */
export function canConnect(url: string, timeoutMs: number): Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port || DEFAULT_PORTS[u.protocol] || 80);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** The agencies' base URLs among configuration values (`…_URL` variables holding http(s) URLs). */
export function agencyOrigins(values: Record<string, unknown>): Map<string, string[]> {
  const origins = new Map<string, string[]>();
  for (const [name, value] of Object.entries(values)) {
    if (!name.endsWith('_URL') || typeof value !== 'string' || !/^https?:\/\//.test(value)) continue;
    const origin = new URL(value).origin;
    origins.set(origin, [...(origins.get(origin) ?? []), name]);
  }
  return origins;
}

/**
 * Tries every agency origin; logs a warning naming the unreachable ones, and when none answers,
 * says the machine seems offline and suggests `npm run demo`. Returns the unreachable origins.
 */
export async function reportReachability(
  values: Record<string, unknown>,
  logger: Logger,
  timeoutMs = 3_000,
): Promise<string[]> {
  const origins = agencyOrigins(values);
  const results = await Promise.all(
    [...origins.keys()].map(async (origin) => [origin, await canConnect(origin, timeoutMs)] as const),
  );
  const unreachable = results.filter(([, ok]) => !ok).map(([origin]) => origin);
  if (unreachable.length === 0 || origins.size === 0) return unreachable;
  if (unreachable.length === origins.size) {
    logger.warn(
      { unreachable },
      'live mode, but no agency API can be reached from this machine (no internet, a firewall or a proxy?): ' +
        'queries will fail after their timeouts. Without internet, run "npm run demo" (offline mode, agency simulators) instead.',
    );
  } else {
    logger.warn(
      { unreachable, variables: unreachable.flatMap((o) => origins.get(o) ?? []) },
      `live mode: ${unreachable.length} of ${origins.size} agency hosts cannot be reached from this machine; their fields will fail until they can`,
    );
  }
  return unreachable;
}
