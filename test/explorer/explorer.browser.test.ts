import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { chromiumPath } from '../helpers/services.ts';

/** Debian's chromium package; `.ci/run` installs it when missing. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const recorded = JSON.parse(
  readFileSync('test/fixtures/smhi/forecast_snow1g_v1_point_pysmhi_2026-04-02.json', 'utf8'),
) as { timeSeries: Array<{ time: string; data: Record<string, number> }> };

describe.skipIf(!chromiumPath())('explorer in a real browser (snapshot mode, offline)', () => {
  let gw: TestGateway;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const requested: string[] = [];
  const clientKeys: Array<string | undefined> = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway();
    userDataDir = mkdtempSync(join(tmpdir(), 'explorer-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(),
      headless: true,
      args: ARGS,
      viewport: { width: 1400, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (r) => {
      requested.push(r.url());
      if (r.url().endsWith('/graphql') && r.method() === 'POST') clientKeys.push(r.headers()['x-api-key']);
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${gw.url}/`);
    await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await gw?.stop();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('lists the examples in the sidebar', async () => {
    const titles = await page.locator('.explorer-example-title').allTextContents();
    expect(titles).toContain('A municipality at a glance');
    expect(titles.length).toBeGreaterThanOrEqual(3);
  });

  it('loads an example with one click, runs it, and shows the data in the result pane', async () => {
    await page.click('[data-example="municipality-at-a-glance"]');
    await expect
      .poll(() => page.locator('.graphiql-query-editor').textContent(), { timeout: 10_000 })
      .toContain('MunicipalityAtAGlance');
    await page.click('.graphiql-execute-button');
    const result = () => page.locator('.graphiql-response').textContent();
    await expect.poll(result, { timeout: 15_000 }).toContain('"Stockholms län"');
    const text = await result();
    expect(text).toContain('"name": "Stockholm"');
    expect(text).toContain(`"validAt": "${recorded.timeSeries[0]!.time}"`);
    expect(text).toContain(`"airTemperature": ${recorded.timeSeries[0]!.data['air_temperature']}`);
    expect(text).not.toContain('"errors"');
    // Each browser is its own client for the per-client limits: one random key, on every request.
    expect(clientKeys.length).toBeGreaterThan(0);
    expect(new Set(clientKeys).size).toBe(1);
    expect(clientKeys[0]).toMatch(/^explorer-[0-9a-f-]{36}$/);
  }, 40_000);

  it('loads an example with variables into the variables editor', async () => {
    await page.click('[data-example="weather-at-a-place"]');
    await expect
      .poll(() => page.locator('.graphiql-editor-tool .graphiql-editor').first().textContent(), {
        timeout: 10_000,
      })
      .toContain('"latitude": 59.3293');
    await page.click('.graphiql-execute-button');
    await expect
      .poll(() => page.locator('.graphiql-response').textContent(), { timeout: 15_000 })
      .toContain('"method": "INSIDE"');
  }, 40_000);

  it('has schema docs built from introspection', async () => {
    await page.click('[aria-label="Show Documentation Explorer"]');
    await expect
      .poll(() => page.locator('.graphiql-doc-explorer').textContent(), { timeout: 10_000 })
      .toMatch(/Query/);
    await page.click('.graphiql-doc-explorer a:has-text("Query")');
    await expect
      .poll(() => page.locator('.graphiql-doc-explorer').textContent(), { timeout: 10_000 })
      .toContain('municipality');
  }, 30_000);

  it('keeps a history of the operations run', async () => {
    await page.click('[aria-label="Show History"]');
    await expect
      .poll(() => page.locator('.graphiql-history').textContent(), { timeout: 10_000 })
      .toContain('MunicipalityAtAGlance');
  }, 30_000);

  it('autocompletes field names from the schema', async () => {
    await page.click('.graphiql-query-editor .CodeMirror');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{ countie');
    await expect
      .poll(() => page.locator('.CodeMirror-hints').textContent(), { timeout: 10_000 })
      .toContain('counties');
  }, 30_000);

  it('shows the answer as a sortable table, with CSV and GeoJSON downloads of the same operation', async () => {
    await page.click('[aria-label="Show Examples"]');
    await page.click('[data-example="largest-municipalities-and-jobs"]');
    await expect
      .poll(() => page.locator('.graphiql-query-editor').textContent(), { timeout: 10_000 })
      .toContain('LargestMunicipalitiesAndJobs');
    await page.click('[aria-label="Show Table"]');
    await page.click('.explorer-show-table');
    await page.waitForSelector('.explorer-table table', { timeout: 15_000 });
    const headers = await page.locator('.explorer-table th').allTextContents();
    expect(headers.slice(0, 4)).toEqual(['rank', 'population', 'municipality.code', 'municipality.name']);
    expect(await page.locator('.explorer-table tbody tr').count()).toBe(5);
    // Sort by population, largest first (two clicks: ascending, then descending).
    await page.click('.explorer-table th:has-text("population")');
    await page.click('.explorer-table th:has-text("population")');
    const populations = (
      await page.locator('.explorer-table tbody tr td:nth-child(2)').allTextContents()
    ).map(Number);
    expect(populations).toEqual([...populations].sort((a, b) => b - a));
    expect(await page.locator('.explorer-table tbody tr td:nth-child(4)').first().textContent()).toBe(
      'Stockholm',
    );
    const csv = await page.locator('a.explorer-download:has-text("CSV")').getAttribute('href');
    expect(csv).toMatch(/^\/export\?format=csv&query=/);
    const download = await page.evaluate(async (href) => (await fetch(href!)).text(), csv);
    expect(download.split('\r\n')[0]).toBe(headers.join(','));
  }, 40_000);

  it('draws an example on a map of Sweden, coloured by a numeric column (offline: outlines, no tiles)', async () => {
    await page.click('[aria-label="Show Examples"]');
    await page.click('[data-example="largest-municipalities-and-jobs"]');
    await expect
      .poll(() => page.locator('.graphiql-query-editor').textContent(), { timeout: 10_000 })
      .toContain('LargestMunicipalitiesAndJobs');
    await page.click('[aria-label="Show Map"]');
    await page.click('.explorer-show-map');
    await expect
      .poll(() => page.locator('.explorer-map-summary').textContent(), { timeout: 15_000 })
      .toBe('5 of 5 rows drawn');
    expect(await page.locator('select.explorer-map-column').inputValue()).toBe('population');
    // The 21 counties underneath, then the five municipalities on top.
    await expect
      .poll(() => page.locator('.explorer-map-canvas path').count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(26);
    const fills = await page
      .locator('.explorer-map-canvas path')
      .evaluateAll((paths) => [...new Set(paths.map((p) => p.getAttribute('fill')))]);
    // Several classes of the colour ramp are used: the values really colour the map.
    expect(fills.filter((f) => f && f !== '#f2f2f2').length).toBeGreaterThanOrEqual(4);
    expect(await page.locator('.explorer-legend i').count()).toBe(7);
    // Another numeric column recolours it.
    await page.selectOption('select.explorer-map-column', 'municipality.jobAdCount');
    expect(await page.locator('select.explorer-map-column').inputValue()).toBe('municipality.jobAdCount');
  }, 40_000);

  it('draws a time series as a line chart, one line per numeric column, and says when there is none', async () => {
    const type = async (query: string) => {
      await page.click('.graphiql-query-editor .CodeMirror');
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.type(query);
    };
    // An example: its longest list is the six-hour forecast.
    await page.click('[aria-label="Show Examples"]');
    await page.click('[data-example="municipality-at-a-glance"]');
    await expect
      .poll(() => page.locator('.graphiql-query-editor').textContent(), { timeout: 10_000 })
      .toContain('MunicipalityAtAGlance');
    await page.click('[aria-label="Show Chart"]');
    await page.click('.explorer-show-chart');
    await expect
      .poll(() => page.locator('.explorer-chart-summary').textContent(), { timeout: 15_000 })
      .toMatch(/^6 points of airTemperature, windSpeed, .* over validAt$/);
    expect(await page.locator('.explorer-chart-canvas canvas').count()).toBe(1);
    const legend = await page.locator('.explorer-chart-canvas .u-legend .u-label').allTextContents();
    expect(legend.slice(0, 3)).toEqual(['validAt', 'airTemperature', 'windSpeed']);
    // A query of its own, with 24 hours.
    await type('{ municipality(code: "0180") { forecast(hours: 24) { validAt airTemperature } } ');
    await page.click('.explorer-show-chart');
    await expect
      .poll(() => page.locator('.explorer-chart-summary').textContent(), { timeout: 15_000 })
      .toBe('24 points of airTemperature over validAt');
    await type('{ county(code: "01") { name } ');
    await page.click('.explorer-show-chart');
    await expect
      .poll(() => page.locator('.explorer-chart [role="alert"]').textContent(), { timeout: 15_000 })
      .toMatch(/no list with dates, times or years/);
  }, 40_000);

  it('loaded nothing from any other origin and raised no script errors', () => {
    const origin = new URL(gw.url).origin;
    const foreign = requested.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(requested.some((u) => u.endsWith('/explorer/assets/graphiql.min.js'))).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
