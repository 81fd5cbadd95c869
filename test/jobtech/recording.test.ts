import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kit/logger.ts';
import { createFileSnapshotStore } from '../../kit/snapshot.ts';
import { createUpstream } from '../../kit/upstream.ts';
import { createJobTechClient } from '../../subgraphs/jobtech/client.ts';
import { offlineAgent } from '../helpers/gateway.ts';

const ad = JSON.parse(readFileSync('test/fixtures/jobtech/jobsearch_ad_28746073.json', 'utf8')) as Record<
  string,
  unknown
>;

describe('JobTech in record mode', () => {
  const agent = offlineAgent();
  afterEach(() => agent.assertNoPendingInterceptors());

  it('keeps contact persons out of the recorded ad and search files', async () => {
    expect(ad['application_contacts']).toBeDefined();
    const pool = agent.get('https://jobsearch.test');
    pool
      .intercept({ path: '/ad/28746073', method: 'GET' })
      .reply(200, ad, { headers: { 'content-type': 'application/json' } });
    pool
      .intercept({ path: (p) => p.startsWith('/search'), method: 'GET' })
      .reply(
        200,
        { total: { value: 1 }, positions: 1, hits: [ad] },
        { headers: { 'content-type': 'application/json' } },
      );
    const dir = mkdtempSync(join(tmpdir(), 'jobtech-record-'));
    const upstream = createUpstream({
      agency: 'jobtech',
      baseUrl: 'https://jobsearch.test',
      cache: new Keyv(),
      logger: silentLogger,
      mode: 'record',
      snapshot: createFileSnapshotStore(dir),
      dispatcher: agent,
    });
    const client = createJobTechClient(upstream);
    const got = await client.ad('28746073');
    expect(got?.headline).toBe(ad['headline']);
    await client.search({ query: 'volvo', limit: 1, offset: 0 } as never);
    const files = readdirSync(dir);
    expect(files).toHaveLength(2);
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text).not.toContain('application_contacts');
      expect(text).not.toContain('Förnamn Efternamn');
      expect(text).toContain(String(ad['headline']));
    }
  });
});
