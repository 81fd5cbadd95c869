/**
 * JobSearch's times as `DateTime` (publicationStartsAt, publicationEndsAt, applicationClosesAt) and
 * the workplace's `postalCode` / `postalTown`, through the JobTech subgraph over a mocked JobSearch
 * (MockAgent, network refused). JobSearch sends times without a zone: Swedish local time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SubgraphRuntime } from '../../kit/subgraph.ts';
import { offlineAgent } from '../helpers/gateway.ts';
import { createRuntime, fixture, intercept, ORIGIN, run, type Seen } from './helpers.ts';

const recorded = fixture('jobsearch_ad_28746073.json');

const AD = `{ jobAd(id: "28746073") {
  publishedAt publicationStartsAt lastPublishedAt publicationEndsAt applicationDeadline applicationClosesAt
  workplace { postcode postalCode city postalTown }
} }`;

describe('JobTech times and workplace names', () => {
  let agent: ReturnType<typeof offlineAgent>;
  let runtime: SubgraphRuntime;
  let seen: Seen[];

  beforeEach(() => {
    agent = offlineAgent();
    runtime = createRuntime(agent);
    seen = [];
  });
  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await runtime.close();
    await agent.close();
  });

  it('the recorded ad (April: summer time) answers with +02:00, the same values as the text fields', async () => {
    intercept(agent.get(ORIGIN), '/ad/28746073', 200, recorded, seen);
    const res = await run(runtime, AD);
    expect(res.errors).toEqual([]);
    const ad = (res.data as { jobAd: Record<string, unknown> }).jobAd;
    expect(ad).toMatchObject({
      publishedAt: '2024-04-24T14:27:02+02:00',
      publicationStartsAt: '2024-04-24T14:27:02+02:00',
      applicationDeadline: '2024-05-08T23:59:59+02:00',
      applicationClosesAt: '2024-05-08T23:59:59+02:00',
      publicationEndsAt: ad['lastPublishedAt'],
    });
  });

  it('a winter ad gets +01:00; the workplace postcode and town answer under the Address names', async () => {
    const winter = {
      ...recorded,
      publication_date: '2024-01-15T10:00:00',
      last_publication_date: '2024-02-05T23:59:59',
      application_deadline: '2024-02-05T23:59:59',
      workplace_address: {
        ...(recorded['workplace_address'] as object),
        postcode: '41873',
        city: 'Göteborg',
      },
    };
    intercept(agent.get(ORIGIN), '/ad/28746073', 200, winter, seen);
    const res = await run(runtime, AD);
    expect(res.errors).toEqual([]);
    expect(res.data).toEqual({
      jobAd: {
        publishedAt: '2024-01-15T10:00:00+01:00',
        publicationStartsAt: '2024-01-15T10:00:00+01:00',
        lastPublishedAt: '2024-02-05T23:59:59+01:00',
        publicationEndsAt: '2024-02-05T23:59:59+01:00',
        applicationDeadline: '2024-02-05T23:59:59+01:00',
        applicationClosesAt: '2024-02-05T23:59:59+01:00',
        workplace: { postcode: '41873', postalCode: '41873', city: 'Göteborg', postalTown: 'Göteborg' },
      },
    });
  });

  it('a time that is not one is null with UPSTREAM_BAD_RESPONSE on the DateTime field, not a silent null', async () => {
    const broken = { ...recorded, publication_date: 'igår 14:27', application_deadline: null };
    intercept(agent.get(ORIGIN), '/ad/28746073', 200, broken, seen);
    const res = await run(runtime, AD);
    const ad = (res.data as { jobAd: Record<string, unknown> }).jobAd;
    // The deprecated text field keeps its old behaviour (null); the typed one says why.
    expect(ad['publishedAt']).toBeNull();
    expect(ad['publicationStartsAt']).toBeNull();
    // No deadline given: null without an error.
    expect(ad['applicationClosesAt']).toBeNull();
    expect(res.errors).toEqual([
      {
        message:
          'JobTech sent the ad\'s `publication_date` as "igår 14:27": not an ISO-8601 date-time (expected e.g. 2026-04-02T12:00:00Z), so it is left out.',
        code: 'UPSTREAM_BAD_RESPONSE',
        agency: 'jobtech',
      },
    ]);
  });
});
