import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { {{ident}} } from '../../subgraphs/{{name}}/index.ts';
import type { SubgraphRuntime } from '../../kit/subgraph.ts';
import { createRuntime, entitiesQuery, run } from '../contract/harness.ts';

// The upstream answers below are SYNTHETIC (made by `npm run new-subgraph` for its placeholder API):
// replace them with responses of the shape {{agency}}'s API documents or a recorded fixture.
const ORIGIN = 'https://api.example.invalid';
const stockholm = { __typename: 'Municipality', code: '0180' };

describe('{{name}} subgraph', () => {
  let agent: MockAgent;
  let runtime: SubgraphRuntime;
  beforeEach(() => {
    agent = new MockAgent({ enableCallHistory: true });
    agent.disableNetConnect();
    runtime = createRuntime({{ident}}, { mode: 'live', dispatcher: agent });
  });
  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await runtime.close();
    await agent.close();
  });

  it('adds the summary to a municipality', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/{{name}}/municipalities/0180', method: 'GET' })
      .reply(200, { summary: 'Synthetic example text' }, { headers: { 'content-type': 'application/json' } });
    const result = await run(runtime, entitiesQuery('Municipality', '{{ident}}Summary'), { r: [stockholm] });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      _entities: [{ __typename: 'Municipality', {{ident}}Summary: 'Synthetic example text' }],
    });
  });

  it('answers null when the API has nothing for the municipality (404)', async () => {
    agent.get(ORIGIN).intercept({ path: '/{{name}}/municipalities/0180', method: 'GET' }).reply(404, {});
    const result = await run(runtime, entitiesQuery('Municipality', '{{ident}}Summary'), { r: [stockholm] });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ _entities: [{ __typename: 'Municipality', {{ident}}Summary: null }] });
  });

  it('rejects an unknown municipality code with BAD_USER_INPUT before any upstream call', async () => {
    const result = await run(runtime, entitiesQuery('Municipality', '{{ident}}Summary'), {
      r: [{ __typename: 'Municipality', code: '0000' }],
    });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', agency: '{{name}}' });
    expect(agent.getCallHistory()?.calls()).toEqual([]);
  });
});
