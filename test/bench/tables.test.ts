/**
 * bench/tables.ts: the README's tables from a bench:compare results file. A made-up results object
 * (two queries, three targets): figures formatted as the README writes them, a ratio below its
 * target in bold, and the bare-limit target applied to the README query only.
 */
import { describe, expect, it } from 'vitest';
import { tables, thousands } from '../../bench/tables.ts';

const figures = (rps: number) => ({ rps, rpsMin: rps - 100.4, rpsMax: rps + 1000, p50: 1, p99: 4 });

describe('bench/tables.ts', () => {
  it('writes req/s, latency and ratio tables; bold marks a ratio below its target', () => {
    const text = tables({
      date: '2026-12-01T06:00:00.000Z',
      settings: { targets: ['limit', 'default', 'hive'], queries: ['readme', 'municipalities'] },
      queries: {
        readme: { limit: figures(50_000), default: figures(12_345.6), hive: figures(1_000) },
        municipalities: { limit: figures(40_000), default: figures(8_000), hive: figures(900) },
      },
      ratios: {
        readme: { default_vs_hive: 12.3456, default_vs_limit: 0.21, nocache_vs_hive: null },
        municipalities: { default_vs_hive: 1.9, default_vs_limit: 0.2 },
      },
    });
    expect(thousands(1234567.4)).toBe('1 234 567');
    expect(text).toContain('| query | `limit` | `default` | `hive` |');
    expect(text).toContain(
      '| readme | 50 000 (49 900–51 000) | 12 346 (12 245–13 346) | 1 000 (900–2 000) |',
    );
    expect(text).toContain('| readme | 1 / 4 | 1 / 4 | 1 / 4 |');
    const cells = (line: string) =>
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
    const ratioRows = text.split('\n').filter((l) => /^\| (readme|municipalities) \|/.test(l));
    const readme = cells(ratioRows.at(-2)!);
    const municipalities = cells(ratioRows.at(-1)!);
    // Columns: query, default÷hive, default÷hive_rust, http÷hive, nocache÷hive, nocache÷hive_rust,
    // default÷hive_cached, default÷limit.
    expect(readme).toEqual(['readme', '12.35', '–', '–', '–', '–', '–', '**0.21**']);
    // The bare-limit target is the README query's only.
    expect(municipalities).toEqual(['municipalities', '**1.90**', '–', '–', '–', '–', '–', '0.20']);
  });
});
