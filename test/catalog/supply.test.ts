/**
 * Supply next to demand in the usage insights (`GET /usage` → `supply`): per agency its catalogued
 * datasets, which of them the graph serves, and how often the fields serving them were asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageReport } from '../../gateway/src/usage/index.ts';
import { supplyReport } from '../../gateway/src/usage/supply.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('supplyReport', () => {
  it('sums the demand of each rule’s fields, and of each agency’s fields once', () => {
    const counts: Record<string, number> = {
      'Municipality.population': 3,
      'Query.statistics': 2,
      'Query.sweden': 1,
    };
    const report = supplyReport((c) => counts[c] ?? 0, 7);
    const scb = report.agencies['SCB']!;
    expect(scb.subgraph).toBe('scb');
    expect(scb.catalogued).toMatchObject({ datasets: 4315 });
    const tab638 = scb.servedByGraph.find((r) => r.title.includes('TAB638'))!;
    expect(tab638.requested).toBe(4); // population 3 + sweden 1
    expect(tab638.fields).toContainEqual({ coordinate: 'Municipality.population', requested: 3 });
    // population appears in two rules but is counted once for the agency.
    expect(scb.servedFieldRequests).toBe(6);
    expect(report.catalogRequests).toBe(7);
    expect(Object.keys(report.agencies).sort()).toEqual(['JOBTECH', 'LANTMATERIET', 'SCB', 'SGU', 'SMHI']);
  });

  it('still answers when the mapping files cannot be read', () => {
    const report = supplyReport(
      () => 0,
      0,
      () => {
        throw new Error('subgraphs/x/catalog-datasets.json: "publishers" must list the publisher URIs');
      },
    );
    expect(report).toMatchObject({ agencies: {}, error: expect.stringMatching(/publishers/) });
  });
});

describe('GET /usage shows supply next to demand (offline)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
  });
  afterAll(() => gw.stop());

  it('counts the fields serving an agency’s catalogued datasets', async () => {
    await gw.query('{ municipality(code: "0180") { boundary county { boundary } } }');
    await gw.query('{ municipality(code: "2584") { boundary } }');
    await gw.query('{ agency(id: LANTMATERIET) { datasets(search: "ortnamn") { totalCount } } }');
    const report = (await (await fetch(`${gw.url}/usage`)).json()) as UsageReport;
    const lm = report.supply.agencies['LANTMATERIET']!;
    const boundaries = lm.servedByGraph.find((r) => r.title.startsWith('Kommun, län och riksgräns'))!;
    expect(boundaries.fields).toEqual([
      { coordinate: 'Municipality.boundary', requested: 2 },
      { coordinate: 'County.boundary', requested: 1 },
    ]);
    expect(boundaries.requested).toBe(3);
    expect(lm.servedFieldRequests).toBe(3);
    expect(report.supply.agencies['SMHI']!.servedFieldRequests).toBe(0);
    expect(report.supply.catalogRequests).toBe(1);
    expect(report.subgraphs['catalog']?.fields['Agency.datasets']?.requested).toBe(1);
  });
});
