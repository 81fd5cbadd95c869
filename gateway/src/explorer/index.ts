import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Logger } from '../../../kit/logger.ts';
import { DEFAULT_EXAMPLES_DIR, type Example, loadExamples } from './examples.ts';

/** Where the explorer's static files are served. */
export const ASSET_PREFIX = '/explorer/assets/';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const ownAssets = fileURLToPath(new URL('./assets/', import.meta.url));

/** Every file the page loads, all from this server (no CDN: the explorer works offline). */
const ASSETS: Record<string, { path: () => string; type: string }> = {
  'react.production.min.js': {
    path: () => join(packageDir('react'), 'umd/react.production.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'react-dom.production.min.js': {
    path: () => join(packageDir('react-dom'), 'umd/react-dom.production.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'graphiql.min.js': {
    path: () => join(packageDir('graphiql'), 'graphiql.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'graphiql.min.css': {
    path: () => join(packageDir('graphiql'), 'graphiql.min.css'),
    type: 'text/css; charset=utf-8',
  },
  // The Map view: Leaflet draws the GeoJSON of an answer (no tile server: outlines only, offline).
  'leaflet.js': {
    path: () => join(packageDir('leaflet'), 'dist/leaflet.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'leaflet.css': {
    path: () => join(packageDir('leaflet'), 'dist/leaflet.css'),
    type: 'text/css; charset=utf-8',
  },
  // The Chart view: uPlot draws time series (forecasts, observations, levels, population history).
  'uPlot.iife.min.js': {
    path: () => join(packageDir('uplot'), 'dist/uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'uPlot.min.css': {
    path: () => join(packageDir('uplot'), 'dist/uPlot.min.css'),
    type: 'text/css; charset=utf-8',
  },
  'explorer.js': { path: () => join(ownAssets, 'explorer.js'), type: 'text/javascript; charset=utf-8' },
  // The /insights page (usage/insights-page.ts) uses uPlot and these two.
  'insights.js': { path: () => join(ownAssets, 'insights.js'), type: 'text/javascript; charset=utf-8' },
  'insights.css': { path: () => join(ownAssets, 'insights.css'), type: 'text/css; charset=utf-8' },
  'explorer.css': { path: () => join(ownAssets, 'explorer.css'), type: 'text/css; charset=utf-8' },
};

/**
 * Everything the page needs comes from 'self'; inline styles are allowed because React and
 * CodeMirror set style attributes, fonts are data: URLs inside GraphiQL's CSS.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Options of the explorer. */
export interface ExplorerOptions {
  /** Folder of example operations; default `schema/examples`. Re-read on every page load. */
  examplesDir?: string;
  /** Where a bad example file is reported (the page then lists none). */
  logger?: Logger;
  /** Page title; default "Sweden Open Data Graph". */
  title?: string;
  /**
   * Offline mode: the agencies answered by simulators. The page then shows a banner saying so on
   * every load, so nobody mistakes offline answers for live data.
   */
  offline?: ReadonlyArray<{ agency: string; synthetic: boolean }> | undefined;
}

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;

/**
 * The GraphiQL explorer as an HTTP route: `GET /` (or `/explorer`, or `/graphql` without a `query`
 * parameter) from a browser (`Accept: text/html`) gets the page; its assets come from node_modules
 * under `/explorer/assets/`; `GET /explorer/examples.json` lists the examples. Anything else falls
 * through to GraphQL, so `POST /`, `POST /graphql` and `GET /graphql?query=…` keep working.
 */
export function createExplorerRoute(options: ExplorerOptions = {}): Route {
  const examplesDir = options.examplesDir ?? DEFAULT_EXAMPLES_DIR;
  const title = options.title ?? 'Sweden Open Data Graph';
  const cache = new Map<string, { raw: Buffer; gzip: Buffer; type: string }>();

  const examples = (): Example[] => {
    try {
      return loadExamples(examplesDir);
    } catch (err) {
      options.logger?.error({ err }, 'explorer: cannot load the example operations');
      return [];
    }
  };

  return (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = url.pathname;
    if (path.startsWith(ASSET_PREFIX)) {
      const name = path.slice(ASSET_PREFIX.length);
      const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
      if (!asset) {
        send(res, req, 404, 'text/plain; charset=utf-8', Buffer.from(`No explorer asset ${name}\n`));
        return true;
      }
      let file = cache.get(name);
      if (!file) {
        const raw = readFileSync(asset.path());
        file = { raw, gzip: gzipSync(raw), type: asset.type };
        cache.set(name, file);
      }
      res.setHeader('cache-control', 'public, max-age=3600');
      res.setHeader('vary', 'accept-encoding');
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        res.setHeader('content-encoding', 'gzip');
        send(res, req, 200, file.type, file.gzip);
      } else send(res, req, 200, file.type, file.raw);
      return true;
    }
    if (path === '/explorer/examples.json') {
      send(
        res,
        req,
        200,
        'application/json; charset=utf-8',
        Buffer.from(JSON.stringify(examples(), null, 2)),
      );
      return true;
    }
    const pagePath = path === '/' || path === '/explorer' || path === '/graphql';
    if (!pagePath || !wantsHtml(req) || url.searchParams.has('query')) return false;
    res.setHeader('content-security-policy', CSP);
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    send(res, req, 200, 'text/html; charset=utf-8', Buffer.from(page(title, examples(), options.offline)));
    return true;
  };
}

/** A browser navigation asks for HTML first; GraphQL clients ask for JSON or send no Accept at all. */
function wantsHtml(req: IncomingMessage): boolean {
  const accept = String(req.headers.accept ?? '');
  return /\btext\/html\b/.test(accept);
}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: Buffer) {
  res.writeHead(status, { 'content-type': type, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside a <script> element: `<` escaped so no text can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The offline banner: plain HTML above the app, visible before and after the scripts run. */
function offlineBanner(offline: NonNullable<ExplorerOptions['offline']>): string {
  const synthetic = offline.filter((o) => o.synthetic).map((o) => o.agency);
  // The essentials first (the line is cut at the window's width); the agency list as a tooltip.
  const title =
    synthetic.length > 0 ? ` title="Synthetic values from: ${escapeHtml(synthetic.join(', '))}"` : '';
  return `<div class="explorer-offline" role="status" data-mode="offline"${title}><strong>Offline mode</strong>: answers come from built-in agency simulators${synthetic.length > 0 ? ' with <strong>synthetic</strong> values' : ''}; no agency is called. Each response says which in <code>extensions.offline</code>. For live data run <code>npm start</code>.</div>`;
}

function page(title: string, examples: Example[], offline?: ExplorerOptions['offline']): string {
  const list = examples.map(({ name, title, description, query, operationName, variables }) => ({
    name,
    title,
    description,
    query,
    operationName,
    variables,
  }));
  const a = ASSET_PREFIX;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)} · explorer</title>
<link rel="stylesheet" href="${a}graphiql.min.css">
<link rel="stylesheet" href="${a}leaflet.css">
<link rel="stylesheet" href="${a}uPlot.min.css">
<link rel="stylesheet" href="${a}explorer.css">
</head>
<body${offline ? ' class="explorer-has-banner"' : ''}>
${offline ? offlineBanner(offline) : ''}
<div id="explorer"><p class="explorer-loading">Loading the explorer…</p></div>
<noscript>The explorer needs JavaScript. GraphQL itself is served at POST /graphql.</noscript>
<script id="explorer-examples" type="application/json">${scriptJson(list)}</script>
<script src="${a}react.production.min.js"></script>
<script src="${a}react-dom.production.min.js"></script>
<script src="${a}graphiql.min.js"></script>
<script src="${a}leaflet.js"></script>
<script src="${a}uPlot.iife.min.js"></script>
<script type="module" src="${a}explorer.js"></script>
</body>
</html>
`;
}
