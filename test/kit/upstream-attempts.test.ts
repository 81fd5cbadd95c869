import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kit/logger.ts';
import { createUpstream, type UpstreamEvent } from '../../kit/upstream.ts';
import { offlineAgent } from '../helpers/gateway.ts';

describe('upstream events', () => {
  const agent = offlineAgent();
  afterEach(() => agent.assertNoPendingInterceptors());

  it('report every attempt made when the request finally fails', async () => {
    agent.get('https://agency.test').intercept({ path: '/x', method: 'GET' }).reply(503, '').times(3);
    const events: UpstreamEvent[] = [];
    const up = createUpstream({
      agency: 'test',
      baseUrl: 'https://agency.test',
      cache: new Keyv(),
      logger: silentLogger,
      dispatcher: agent,
      retries: 2,
      sleep: async () => undefined,
      onEvent: (e) => events.push(e),
    });
    await expect(up.get({ path: '/x', parse: (j) => j })).rejects.toMatchObject({
      kind: 'HTTP_STATUS',
      status: 503,
    });
    expect(events).toEqual([
      expect.objectContaining({ outcome: 'error', attempts: 3, errorKind: 'HTTP_STATUS' }),
    ]);
  });
});
