import Keyv from 'keyv';
import { MockAgent } from 'undici';
import { silentLogger } from '../../kit/logger.ts';
import { createUpstream, type Upstream, type UpstreamOptions } from '../../kit/upstream.ts';

export const ORIGIN = 'https://agency.test';

/** A clock that only moves when a test (or the fake sleep) moves it. */
export interface FakeClock {
  now: () => number;
  /** Every delay the code under test asked to sleep, in order. */
  slept: number[];
  sleep: (ms: number) => Promise<void>;
  advance(ms: number): void;
}

export function fakeClock(start = Date.parse('2026-04-02T12:00:00Z')): FakeClock {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    slept,
    async sleep(ms) {
      slept.push(ms);
      // Like a real timer, let work that is already under way run before time moves on.
      await new Promise((resolve) => setImmediate(resolve));
      t += ms;
    },
    advance(ms) {
      t += ms;
    },
  };
}

/** A MockAgent that refuses the network: an unmatched request fails instead of leaving the machine. */
export function offlineAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return agent;
}

export interface Harness {
  upstream: Upstream;
  agent: MockAgent;
  clock: FakeClock;
  cache: Keyv;
}

/** An upstream for `agency.test` over a MockAgent, a fake clock and sleep, and a fresh in-memory cache. */
export function harness(overrides: Partial<UpstreamOptions> = {}): Harness {
  const agent = offlineAgent();
  const clock = fakeClock();
  const cache = new Keyv();
  const upstream = createUpstream({
    agency: 'test',
    baseUrl: ORIGIN,
    cache,
    logger: silentLogger,
    dispatcher: agent,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    ...overrides,
  });
  return { upstream, agent, clock, cache };
}

/** Accepts any JSON value. */
export const anyJson = (json: unknown) => json;

/** Awaits a promise that must reject and returns what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
