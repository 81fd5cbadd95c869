import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { offlineAgent, startTestGateway } from '../helpers/gateway.ts';
import { isListening } from './ports.ts';

const forecast = JSON.parse(
  readFileSync('test/fixtures/smhi/forecast_snow1g_v1_point_pysmhi_2026-04-02.json', 'utf8'),
) as { timeSeries: Array<{ time: string }> };

describe('stop() drains requests in flight', () => {
  it('a query waiting on a slow upstream completes, then the port closes', async () => {
    const agent = offlineAgent();
    agent
      .get('https://opendata-download-metfcst.smhi.se')
      .intercept({ path: /\/geotype\/point\/lon\/[\d.]+\/lat\/[\d.]+\/data\.json$/, method: 'GET' })
      .reply(200, forecast)
      .delay(600);
    const gw = await startTestGateway({ env: { UPSTREAM_MODE: 'live' }, dispatcher: agent });
    const port = Number(new URL(gw.url).port);
    const inFlight = gw.query<{ municipality: { forecast: Array<{ time: string }> } }>(
      '{ municipality(code: "0180") { forecast(hours: 1) { time } } }',
    );
    let answered = false;
    void inFlight.then(() => {
      answered = true;
    });
    // Stop once the upstream call is under way (the mock has taken the request and holds the reply).
    for (let i = 0; i < 500 && agent.pendingInterceptors().length > 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(agent.pendingInterceptors()).toEqual([]);
    expect(answered).toBe(false);
    await gw.stop();
    const body = await inFlight;
    expect(body.errors).toBeUndefined();
    expect(body.data?.municipality.forecast).toEqual([{ time: forecast.timeSeries[0]?.time }]);
    expect(await isListening(port)).toBe(false);
    agent.assertNoPendingInterceptors();
    await agent.close();
  });
});
