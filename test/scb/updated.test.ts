/**
 * SCB's `updated` as a `DateTime` (`updatedAt` on StatisticsTable and StatisticsResult): the real SCB
 * subgraph over a mock SCB (MockAgent, network refused). A value with a zone is passed on, one without
 * is Swedish local time, a malformed one is null with UPSTREAM_BAD_RESPONSE on that field only — and
 * the deprecated `updated` keeps answering as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, type ScbHarness, scbHarness } from './helpers.ts';

let h: ScbHarness | undefined;
afterEach(async () => {
  await h?.runtime.close();
  await h?.scb.agent.close();
  h = undefined;
});

const TABLE = '{ statisticsTable(id: "TAB638") { id updated updatedAt } }';

describe("SCB's updated as DateTime", () => {
  it('passes a UTC value on', async () => {
    h = scbHarness({ updated: () => '2026-05-29T06:00:00Z' });
    const result = await h.run(TABLE);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      statisticsTable: { id: 'TAB638', updated: '2026-05-29T06:00:00Z', updatedAt: '2026-05-29T06:00:00Z' },
    });
  });

  it('reads a value without a zone as Swedish local time (summer: +02:00)', async () => {
    h = scbHarness({ updated: () => '2026-06-08T08:00:00' });
    const result = await h.run(TABLE);
    expect(result.errors).toBeUndefined();
    const table = (result.data as { statisticsTable: Record<string, string> }).statisticsTable;
    expect(table['updated']).toBe('2026-06-08T08:00:00');
    expect(table['updatedAt']).toBe('2026-06-08T08:00:00+02:00');
  });

  it('a malformed value is null with UPSTREAM_BAD_RESPONSE on updatedAt; the rest of the table answers', async () => {
    h = scbHarness({ updated: () => '2026-02-30 kl. 08' });
    const result = await h.run(TABLE);
    expect(result.data).toEqual({
      statisticsTable: { id: 'TAB638', updated: '2026-02-30 kl. 08', updatedAt: null },
    });
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors!;
    expect(error!.path).toEqual(['statisticsTable', 'updatedAt']);
    expect(error!.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', agency: 'scb' });
    expect(error!.message).toBe(
      'SCB sent the table\'s `updated` as "2026-02-30 kl. 08": not an ISO-8601 date-time (expected e.g. 2026-04-02T12:00:00Z), so it is left out.',
    );
  });

  it("the data's own `updated` is checked the same way (StatisticsResult.updatedAt)", async () => {
    const recorded = fixture('v2_TAB638_data_riket_POST.jsonstat2.json');
    h = scbHarness({
      dataReply: () => ({ status: 200, body: { ...recorded, updated: '2025-02-31T07:00:00Z' } }),
    });
    const result = await h.run(
      `{ statistics(table: "TAB638", selection: [
          { variable: "Region", values: ["00"] }, { variable: "ContentsCode", values: ["BE0101N1"] },
          { variable: "Tid", values: ["2024"] }]) { table updated updatedAt } }`,
    );
    expect(result.data).toEqual({
      statistics: { table: 'TAB638', updated: '2025-02-31T07:00:00Z', updatedAt: null },
    });
    expect(result.errors?.map((e) => [e.path, e.extensions['code'], e.message])).toEqual([
      [
        ['statistics', 'updatedAt'],
        'UPSTREAM_BAD_RESPONSE',
        'SCB sent the data\'s `updated` as "2025-02-31T07:00:00Z": not a calendar date, so it is left out.',
      ],
    ]);
  });
});
