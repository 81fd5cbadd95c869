import { describe, expect, it } from 'vitest';
import {
  cellCount,
  checkSelection,
  expand,
  parseMetadata,
  splitSelection,
} from '../../subgraphs/scb/client.ts';
import { cells, parseDataset, positionOf, strides } from '../../subgraphs/scb/jsonstat.ts';
import { fixture } from './helpers.ts';

interface Dim {
  label: string;
  category: { index: Record<string, number>; label: Record<string, string>; unit?: unknown };
  extension?: unknown;
}

/**
 * A multi-dimensional data answer built from the REAL TAB6471 metadata (labels, units, notes, order)
 * with SYNTHETIC values: 3 regions × 2 ages × 3 sexes × 1 content × 2 months = 36 cells, value =
 * 10000·r + 1000·a + 100·k + t (so every cell says where it sits).
 */
function syntheticTab6471(options: { indexAsArray?: boolean; status?: 'object' | 'array' } = {}) {
  const meta = fixture('v2_TAB6471_metadata.json') as { dimension: Record<string, Dim>; id: string[] };
  const pick: Record<string, string[]> = {
    Region: ['00', '0180', '1480'],
    Alder: ['TotSA', '0'],
    Kon: ['TotSa', '1', '2'],
    ContentsCode: ['000007SF'],
    Tid: ['2025M12', '2026M04'],
  };
  const dimension: Record<string, unknown> = {};
  for (const id of meta.id) {
    const md = meta.dimension[id]!;
    const codes = pick[id]!;
    dimension[id] = {
      ...md,
      category: {
        index: options.indexAsArray ? codes : Object.fromEntries(codes.map((c, i) => [c, i])),
        label: Object.fromEntries(codes.map((c) => [c, md.category.label[c]!])),
        ...(md.category.unit ? { unit: md.category.unit } : {}),
      },
    };
  }
  const value: Array<number | null> = [];
  for (let r = 0; r < 3; r++)
    for (let a = 0; a < 2; a++)
      for (let k = 0; k < 3; k++) for (let t = 0; t < 2; t++) value.push(10000 * r + 1000 * a + 100 * k + t);
  // Cell 5 (Riket, 0 år, kvinnor, 2026M04) is marked confidential.
  value[11] = null;
  const status = options.status === 'array' ? value.map((v) => (v === null ? '..' : null)) : { '11': '..' };
  return { ...meta, size: [3, 2, 3, 1, 2], dimension, value, ...(options.status ? { status } : {}) };
}

describe('json-stat2 decoder', () => {
  it('decodes the recorded one-cell TAB638 answer', () => {
    const d = parseDataset(fixture('v2_TAB638_data_riket_POST.jsonstat2.json'));
    expect(d.tableId).toBe('TAB638');
    expect(d.updated).toBe('2025-02-21T07:00:00Z');
    expect(d.mandatoryNotes).toEqual([0, 1, 2]);
    const [cell] = cells(d);
    expect(cell!.value).toBe(50937);
    expect(cell!.coordinates.map((c) => [c.dimension.id, c.category.code, c.category.label])).toEqual([
      ['Region', '00', 'Riket'],
      ['Civilstand', 'OG', 'ogifta'],
      ['Alder', '0', '0 år'],
      ['Kon', '1', 'män'],
      ['ContentsCode', 'BE0101N1', 'Folkmängd'],
      ['Tid', '2024', '2024'],
    ]);
    expect(d.dimensions[4]!.units['BE0101N1']).toEqual({ base: 'antal personer', decimals: 0 });
    expect(d.dimensions[4]!.role).toBe('metric');
    expect(d.dimensions[5]!.role).toBe('time');
  });

  it.each([
    ['index as object, status keyed by position', { status: 'object' as const }],
    ['index as array, status as array', { indexAsArray: true, status: 'array' as const }],
  ])('five dimensions, row-major with the last fastest (%s)', (_, options) => {
    const d = parseDataset(syntheticTab6471(options));
    expect(strides([3, 2, 3, 1, 2])).toEqual([12, 6, 2, 2, 1]);
    const all = cells(d);
    expect(all).toHaveLength(36);
    for (const cell of all) {
      const [r, a, k, , t] = cell.coordinates.map((c) => c.dimension.categories.indexOf(c.category));
      const expected = 10000 * r! + 1000 * a! + 100 * k! + t!;
      if (expected === 1201) {
        expect(cell.value).toBeNull();
        expect(cell.status).toBe('..');
      } else {
        expect(cell.value).toBe(expected);
        expect(cell.status).toBeNull();
      }
    }
    const at = positionOf(d, ['1480', '0', '2', '000007SF', '2026M04']);
    expect(at).toBe(2 * 12 + 6 + 2 * 2 + 1);
    expect(d.values[at!]).toBe(21201);
    expect(all[at!]!.coordinates[0]!.category.label).toBe('Göteborg');
    expect(d.dimensions[3]!.units['000007SF']).toEqual({ base: 'antal', decimals: 0 });
    expect(d.notes[0]).toMatch(/Cell Key Method/);
    expect(d.mandatoryNotes).toEqual([0, 1, 2, 3]);
  });

  it('accepts a sparse value object and rejects a value count that does not match the sizes', () => {
    const sparse = { ...syntheticTab6471(), value: { '0': 5, '35': 7 } };
    const d = parseDataset(sparse);
    expect(d.values[0]).toBe(5);
    expect(d.values[35]).toBe(7);
    expect(d.values[1]).toBeNull();
    expect(() => parseDataset({ ...syntheticTab6471(), value: [1, 2, 3] })).toThrow(
      /3 values but the sizes multiply to 36/,
    );
  });

  it('metadata: variables, elimination (from metadata), codelists, time and measure roles', () => {
    const meta = parseMetadata(fixture('v2_TAB6471_metadata.json'), 'TAB6471');
    expect(meta.variables.map((v) => [v.code, v.elimination, v.isTime, v.isMetric, v.values.length])).toEqual(
      [
        ['Region', true, false, false, 312],
        ['Alder', false, false, false, 134],
        ['Kon', true, false, false, 3],
        ['ContentsCode', false, false, true, 1],
        ['Tid', false, true, false, 16],
      ],
    );
    expect(meta.variables[0]!.codelists.map((c) => c.id)).toEqual([
      'vs_CKM01Riket',
      'vs_CKM02Län',
      'vs_CKM03Kommun',
    ]);
  });
});

describe('selections', () => {
  const meta = parseMetadata(fixture('v2_TAB6471_metadata.json'), 'TAB6471');
  const months = meta.variables[4]!.values;

  it('expands expressions from metadata', () => {
    expect(expand('top(2)', months)).toEqual(['2026M03', '2026M04']);
    expect(expand('bottom(1)', months)).toEqual(['2025M01']);
    expect(expand('2026M0?', months)).toEqual(['2026M01', '2026M02', '2026M03', '2026M04']);
    expect(expand('range(2025M11,2026M01)', months)).toEqual(['2025M11', '2025M12', '2026M01']);
    expect(expand('from(2026M03)', months)).toEqual(['2026M03', '2026M04']);
  });

  it('orders by metadata, canonicalises case, drops repeated codes (SCB answers 500 to them)', () => {
    const sel = checkSelection(meta, [
      { variableCode: 'tid', valueCodes: ['2026m04', '2026M04'] },
      { variableCode: 'contentscode', valueCodes: ['000007sf'] },
      { variableCode: 'ALDER', valueCodes: ['totsa'] },
      { variableCode: 'region', valueCodes: ['0180'], codelist: 'vs_ckm03kommun' },
    ]);
    expect(sel).toEqual([
      { variableCode: 'Region', valueCodes: ['0180'], codelist: 'vs_CKM03Kommun' },
      { variableCode: 'Alder', valueCodes: ['TotSA'] },
      { variableCode: 'ContentsCode', valueCodes: ['000007SF'] },
      { variableCode: 'Tid', valueCodes: ['2026M04'] },
    ]);
  });

  it('splits along the widest variable so every part stays under the cell limit', () => {
    const sel = checkSelection(meta, [
      { variableCode: 'Region', valueCodes: ['*'] },
      { variableCode: 'Alder', valueCodes: ['TotSA', '0', '1'] },
      { variableCode: 'ContentsCode', valueCodes: ['000007SF'] },
      { variableCode: 'Tid', valueCodes: ['*'] },
    ]);
    expect(cellCount(meta, sel)).toBe(312 * 3 * 16);
    const parts = splitSelection(meta, sel, 1000);
    for (const part of parts) expect(cellCount(meta, part)).toBeLessThanOrEqual(1000);
    expect(parts.reduce((n, p) => n + cellCount(meta, p), 0)).toBe(312 * 3 * 16);
    // A limit smaller than one code of the widest variable splits the next variable too.
    const fine = splitSelection(meta, sel, 10);
    for (const part of fine) expect(cellCount(meta, part)).toBeLessThanOrEqual(10);
    expect(fine.reduce((n, p) => n + cellCount(meta, p), 0)).toBe(312 * 3 * 16);
  });
});
