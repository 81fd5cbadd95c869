import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../../gateway/src/explorer/examples.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('explorer over HTTP', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.stop());

  it('serves the page at GET / to a browser, every script and style from this server', async () => {
    const res = await fetch(`${gw.url}/`, { headers: HTML });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const html = await res.text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(6);
    for (const ref of refs) expect(ref, ref).toMatch(/^(\/explorer\/assets\/|data:)/);
    expect(html).not.toMatch(/https?:\/\//);
    for (const ref of refs.filter((r) => r.startsWith('/'))) {
      const asset = await fetch(`${gw.url}${ref}`);
      expect(asset.status, ref).toBe(200);
      expect(asset.headers.get('content-type'), ref).toMatch(
        ref.endsWith('.css') ? /^text\/css/ : /^text\/javascript/,
      );
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(100);
    }
  });

  it('embeds every example with its title, so each is one click away', async () => {
    const html = await (await fetch(`${gw.url}/`, { headers: HTML })).text();
    const json = /<script id="explorer-examples" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1];
    const embedded = JSON.parse(json!) as Array<{ name: string; title: string; query: string }>;
    const examples = loadExamples();
    expect(embedded.map((e) => e.name)).toEqual(examples.map((e) => e.name));
    expect(embedded.map((e) => e.query)).toEqual(examples.map((e) => e.query));
    const listed = (await (await fetch(`${gw.url}/explorer/examples.json`)).json()) as Array<{
      title: string;
    }>;
    expect(listed.map((e) => e.title)).toEqual(examples.map((e) => e.title));
  });

  it('also serves the page at /explorer and at GET /graphql without a query', async () => {
    for (const path of ['/explorer', '/graphql']) {
      const res = await fetch(`${gw.url}${path}`, { headers: HTML });
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('explorer-examples');
    }
  });

  it('compresses assets for clients that accept gzip, and lets browsers cache them', async () => {
    // node:http rather than fetch: fetch decompresses by itself and hides the encoding.
    const { get } = await import('node:http');
    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      get(`${gw.url}/explorer/assets/explorer.js`, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ headers: r.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.headers['cache-control']).toBe('public, max-age=3600');
    expect(gunzipSync(raw.body).toString('utf8')).toContain('useEditorContext');
    const plain = await fetch(`${gw.url}/explorer/assets/graphiql.min.js`, {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toContain('createFetcher');
  });

  it('answers 404 for files outside the asset list', async () => {
    for (const path of [
      '/explorer/assets/package.json',
      '/explorer/assets/..%2F..%2Fpackage.json',
      '/explorer/assets/',
    ]) {
      expect((await fetch(`${gw.url}${path}`)).status, path).toBe(404);
    }
  });

  it('keeps GraphQL at POST /, POST /graphql and GET /graphql?query=', async () => {
    for (const path of ['/', '/graphql']) {
      const res = await fetch(`${gw.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...HTML },
        body: JSON.stringify({ query: '{ county(code: "01") { name } }' }),
      });
      expect(((await res.json()) as { data: unknown }).data, path).toEqual({
        county: { name: 'Stockholms län' },
      });
    }
    // A browser following a link with ?query= gets the GraphQL answer, not the page.
    const get = await fetch(
      `${gw.url}/graphql?query=${encodeURIComponent('{ county(code: "01") { code } }')}`,
      {
        headers: { ...HTML, 'apollo-require-preflight': 'true' },
      },
    );
    expect(((await get.json()) as { data: unknown }).data).toEqual({ county: { code: '01' } });
  });

  it('does not serve the page to clients that do not ask for HTML', async () => {
    const res = await fetch(`${gw.url}/`, { headers: { accept: 'application/json' } });
    expect(res.headers.get('content-type')).not.toMatch(/text\/html/);
  });
});
