import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import {
  entitiesQuery,
  METADATA,
  type ScbHarness,
  scbHarness,
  syntheticValue,
  TABLE_INFO,
} from './helpers.ts';

/**
 * Issue 4 item 6: metadata and data are cached for a day, or until the table's `updated` changes.
 * The version check is a cheap `GET /tables/{id}` cached for an hour, so a new SCB publication is
 * picked up within the hour while an unchanged table costs one small call per hour.
 */

const HOUR = 60 * 60_000;
const query = entitiesQuery('population(year: 2024)');
const reps = { r: [{ __typename: 'Municipality', code: '0180' }] };

let h: ScbHarness | undefined;
afterEach(async () => {
  await h?.runtime.close();
  await h?.scb.agent.close();
  h = undefined;
});

/** SCB calls other than `/config`, as "METHOD path" without the query string, since `from`. */
function tableCalls(harness: ScbHarness, from = 0): string[] {
  return harness.scb.calls
    .slice(from)
    .map((c) => `${c.method} ${c.path.split('?')[0]}`)
    .filter((c) => c !== 'GET /api/v2/config');
}

async function population(harness: ScbHarness): Promise<number> {
  const result = await harness.run(query, reps);
  expect(result.errors).toBeUndefined();
  return (result.data as { _entities: Array<{ population: number }> })._entities[0]!.population;
}

describe('SCB cache: a day, or until the table is updated', () => {
  it('an unchanged table: one version check per hour, metadata and data stay cached for the day', async () => {
    h = scbHarness();
    await population(h);
    expect(tableCalls(h)).toEqual([
      'GET /api/v2/tables/TAB638',
      'GET /api/v2/tables/TAB638/metadata',
      'POST /api/v2/tables/TAB638/data',
    ]);
    // Within the hour: nothing at all.
    let mark = h.scb.calls.length;
    h.clock.advance(30 * 60_000);
    await population(h);
    expect(tableCalls(h, mark)).toEqual([]);
    // Every following hour of the day: only the small version check.
    for (let hour = 1; hour <= 22; hour++) {
      mark = h.scb.calls.length;
      h.clock.advance(HOUR);
      await population(h);
      expect(tableCalls(h, mark)).toEqual(['GET /api/v2/tables/TAB638']);
    }
    // After a day even an unchanged table is fetched again.
    mark = h.scb.calls.length;
    h.clock.advance(2 * HOUR);
    await population(h);
    expect(tableCalls(h, mark)).toEqual([
      'GET /api/v2/tables/TAB638',
      'GET /api/v2/tables/TAB638/metadata',
      'POST /api/v2/tables/TAB638/data',
    ]);
  });

  it('a new publication (`updated` changes) is picked up within the hour, then cached again', async () => {
    let updated: string | undefined;
    h = scbHarness({ updated: (table) => (table === 'TAB638' ? updated : undefined) });
    const before = await population(h);
    expect(before).toBe(syntheticValue(['0180', 'tot', 'BE0101N1', '2024']));

    // SCB publishes: the hour-old version check is still trusted for a moment…
    updated = '2026-04-02T13:00:00Z';
    let mark = h.scb.calls.length;
    h.clock.advance(10 * 60_000);
    await population(h);
    expect(tableCalls(h, mark)).toEqual([]);

    // …and once it expires, the new `updated` makes metadata and data current again.
    mark = h.scb.calls.length;
    h.clock.advance(HOUR);
    await population(h);
    expect(tableCalls(h, mark)).toEqual([
      'GET /api/v2/tables/TAB638',
      'GET /api/v2/tables/TAB638/metadata',
      'POST /api/v2/tables/TAB638/data',
    ]);

    // The new answers are cached under the new version: a second request costs nothing.
    mark = h.scb.calls.length;
    await population(h);
    expect(tableCalls(h, mark)).toEqual([]);
  });

  it('SCB down when a new version is due: the earlier answer is served rather than an error', async () => {
    let updated: string | undefined;
    let down = false;
    h = scbHarness({
      updated: () => updated,
      dataReply: () => (down ? { status: 503 } : undefined),
    });
    const before = await population(h);
    updated = '2026-04-02T13:00:00Z';
    down = true;
    h.clock.advance(HOUR + 60_000);
    expect(await population(h)).toBe(before);
    expect(h.scb.dataCalls().length).toBeGreaterThan(1); // it did try SCB (with retries)
  });

  it('SCB rejecting a selection is never answered from an earlier version', async () => {
    let updated: string | undefined;
    let reject = false;
    h = scbHarness({
      updated: () => updated,
      dataReply: () =>
        reject ? { status: 400, body: { title: 'Non-existent value', status: 400 } } : undefined,
    });
    await population(h);
    updated = '2026-04-02T13:00:00Z';
    reject = true;
    h.clock.advance(HOUR + 60_000);
    const result = await h.run(query, reps);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain('Non-existent value');
  });

  it('no version from `/tables/{id}` (404 here): the table still answers, cached for its day', async () => {
    h = scbHarness();
    // The mock answers 404 for a table it has no `/tables/{id}` file for.
    const saved = TABLE_INFO['TAB638'];
    delete TABLE_INFO['TAB638'];
    try {
      await population(h);
      let mark = h.scb.calls.length;
      h.clock.advance(2 * HOUR);
      await population(h);
      // The failed (404) version check is asked again after its hour; metadata and data are not.
      expect(tableCalls(h, mark)).toEqual(['GET /api/v2/tables/TAB638']);
      mark = h.scb.calls.length;
      h.clock.advance(23 * HOUR);
      await population(h);
      expect(tableCalls(h, mark)).toContain('POST /api/v2/tables/TAB638/data');
    } finally {
      TABLE_INFO['TAB638'] = saved!;
    }
  });

  it('tables just listed by a search need no version check of their own', async () => {
    // The mock has metadata for three tables: the listed ones borrow TAB638's (a listed table's
    // metadata answering 404 is an error, test/contract/no-silent-null.test.ts).
    const listed = [
      'TAB4552',
      'TAB4560',
      'TAB4562',
      'TAB6387',
      'TAB6512',
      'TAB4948',
      'TAB2920',
      'TAB5643',
      'TAB5663',
      'TAB6473',
    ];
    for (const id of listed) METADATA[id] = METADATA['TAB638']!;
    onTestFinished(() => {
      for (const id of listed) delete METADATA[id];
    });
    h = scbHarness();
    const result = await h.run('{ statisticsTables(search: "befolkning") { id variables { code } } }');
    expect(result.errors).toBeUndefined();
    const calls = tableCalls(h);
    expect(calls.filter((c) => c.endsWith('/metadata'))).toHaveLength(10);
    // The listing carried each table's `updated`: no GET /tables/{id} per table.
    expect(calls.filter((c) => /^GET \/api\/v2\/tables\/[^/]+$/.test(c))).toEqual([]);
  });
});
