/**
 * The gateway never calls home: no usage reporting, no Apollo telemetry, no connection to anything
 * but the client talking to it — even when the operator's environment holds an Apollo key.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

/** Every host or address a TCP socket of this process looks up or connects to. */
const contacted: string[] = [];
function onSocket(message: unknown) {
  const { socket } = message as { socket: Socket };
  socket.once('lookup', (_err: unknown, _address: unknown, _family: unknown, host: string) =>
    contacted.push(host),
  );
  socket.once('connect', () => contacted.push(socket.remoteAddress ?? '?'));
}

interface InternalPlugin {
  __internal_plugin_id__?: string;
  __is_disabled_plugin__?: boolean;
}

const APOLLO_VARS = ['APOLLO_KEY', 'APOLLO_GRAPH_REF'] as const;

describe('no call home', () => {
  let gw: TestGateway;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const name of APOLLO_VARS) {
      // biome-ignore lint/style/noProcessEnv: this test proves an operator's Apollo key is never used.
      saved[name] = process.env[name];
    }
    // biome-ignore lint/style/noProcessEnv: as above.
    process.env['APOLLO_KEY'] = 'service:not-a-real-graph:not-a-real-key';
    // biome-ignore lint/style/noProcessEnv: as above.
    process.env['APOLLO_GRAPH_REF'] = 'not-a-real-graph@current';
    diagnostics.subscribe('net.client.socket', onSocket);
    gw = await startTestGateway();
  });

  afterAll(async () => {
    diagnostics.unsubscribe('net.client.socket', onSocket);
    for (const name of APOLLO_VARS) {
      // biome-ignore lint/style/noProcessEnv: restores what beforeAll changed.
      if (saved[name] === undefined) delete process.env[name];
      // biome-ignore lint/style/noProcessEnv: restores what beforeAll changed.
      else process.env[name] = saved[name];
    }
  });

  it('disables Apollo telemetry before the gateway is built', () => {
    // biome-ignore lint/style/noProcessEnv: the variable @apollo/gateway reads.
    expect(process.env['APOLLO_TELEMETRY_DISABLED']).toBe('true');
  });

  it('installs no usage-reporting plugin, only its disabled stand-in', () => {
    const plugins = (gw.app.apollo as unknown as { internals: { plugins: InternalPlugin[] } }).internals
      .plugins;
    const reporting = plugins.filter((p) => p.__internal_plugin_id__ === 'UsageReporting');
    expect(reporting.length).toBeGreaterThan(0);
    expect(reporting.every((p) => p.__is_disabled_plugin__ === true)).toBe(true);
    expect(
      plugins.filter(
        (p) => p.__internal_plugin_id__ === 'SchemaReporting' && p.__is_disabled_plugin__ !== true,
      ),
    ).toEqual([]);
  });

  it('opens no connection except the client one, through a query and a shutdown', async () => {
    const body = await gw.query('{ municipality(code: "0180") { name forecast(hours: 1) { time } } }');
    expect(body.errors).toBeUndefined();
    // Shutdown is when an OpenTelemetry exporter would flush to Apollo.
    await gw.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The spy works: it saw the test's own connection to the gateway.
    expect(contacted).toContain('127.0.0.1');
    expect(
      contacted.filter((host) => !['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1'].includes(host)),
    ).toEqual([]);
  });
});
