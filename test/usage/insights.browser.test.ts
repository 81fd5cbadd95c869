/**
 * The demand dashboard (/insights) and its CSV: after real traffic against the offline simulators
 * (one agency failing, some searches finding nothing), the page shows the requests over time, the
 * most requested fields and the unmet demand, in Chromium, and the CSV has the same figures.
 */
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { chromiumPath } from '../helpers/services.ts';

const QUERIES = [
  '{ municipality(code: "0180") { name population jobAdCount } }',
  '{ placeNames(name: "Xyzzyville") { name } }',
  '{ municipality(code: "2480") { wellCount } }',
];

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline', OFFLINE_FAULTS: 'sgu=500' } });
  for (let i = 0; i < 3; i++) for (const q of QUERIES) await gw.query(q);
}, 60_000);
afterAll(() => gw.stop());

describe('the usage report behind /insights', () => {
  it('counts empty answers and failures per field, and requests per minute', async () => {
    const report = await gw.app.usage.report();
    expect(report.subgraphs['lantmateriet']?.fields['Query.placeNames']).toMatchObject({
      requested: 3,
      empty: 3,
    });
    expect(report.subgraphs['sgu']?.fields['Municipality.wellCount']).toMatchObject({
      requested: 3,
      failed: 3,
      empty: 0,
    });
    // A field that answered is neither failed nor empty.
    expect(report.subgraphs['scb']?.fields['Municipality.population']).toMatchObject({
      requested: 3,
      failed: 0,
      empty: 0,
    });
    const total = report.timeline.reduce((n, m) => n + m.requests, 0);
    expect(total).toBe(report.requests.total);
    expect(report.timeline.at(-1)!.subgraphs['lantmateriet']).toBeGreaterThan(0);
    // By type too: every query here asks for Municipality or Query fields.
    const byType = report.timeline.reduce((n, m) => n + (m.types['Municipality'] ?? 0), 0);
    expect(byType).toBe(6);
  });

  it('/insights-timeline.csv lists each minute by subgraph, type and upstream calls', async () => {
    const lines = (await (await fetch(`${gw.url}/insights-timeline.csv`)).text()).trim().split('\r\n');
    expect(lines[0]).toBe('minute,kind,name,count');
    const kinds = new Set(lines.slice(1).map((l) => l.split(',')[1]));
    expect(kinds).toEqual(new Set(['all', 'subgraph', 'type', 'upstreamCalls']));
    const all = lines.slice(1).filter((l) => l.split(',')[1] === 'all');
    expect(all.reduce((n, l) => n + Number(l.split(',')[3]), 0)).toBe(
      (await gw.app.usage.report()).requests.total,
    );
  });

  it('/insights.csv lists every field with its figures', async () => {
    const res = await fetch(`${gw.url}/insights.csv`);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('subgraph,coordinate,requested,failed,timedOut,empty');
    expect(lines).toContain('lantmateriet,Query.placeNames,3,0,0,3');
    expect(lines).toContain('sgu,Municipality.wellCount,3,3,0,0');
  });
});

describe.skipIf(!chromiumPath())('/insights in Chromium', () => {
  it('shows requests over time, the most requested fields and the unmet demand', async () => {
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${gw.url}/insights`);
      await page.waitForSelector('#timeline canvas', { timeout: 15_000 });
      const top = await page.locator('#top-fields tbody tr td:first-child').allTextContents();
      expect(top).toContain('Query.placeNames');
      expect(top).toContain('Municipality.population');
      const unmet = await page.locator('#unmet tbody tr td:first-child').allTextContents();
      expect(unmet.sort()).toEqual(['Municipality.wellCount', 'Query.placeNames']);
      const agencies = await page.locator('#agencies tbody tr td:first-child').allTextContents();
      expect(agencies).toEqual(expect.arrayContaining(['lantmateriet', 'scb', 'sgu', 'jobtech']));
      const legend = await page.locator('#timeline .u-legend .u-label').allTextContents();
      expect(legend.slice(0, 2)).toEqual(['minute', 'all requests']);
      const typeLegend = await page.locator('#timeline-types .u-legend .u-label').allTextContents();
      expect(typeLegend).toContain('Municipality');
      expect(await page.locator('a[href="/insights.csv"]').count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
