/**
 * GET /insights — the demand dashboard for agencies: what is asked of their data (requests per
 * subgraph over time, the most requested fields), what went unmet (fields that failed, timed out or
 * came back empty), and how each agency's API behaved (calls, cache hit ratio, latency).
 * GET /insights.csv — the per-field figures as CSV. Built from the same report as /usage: no
 * personal data, only schema coordinates, subgraph and agency names, counts and timings.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ASSET_PREFIX, CSP, escapeHtml, scriptJson } from '../explorer/index.ts';
import { toCsv } from '../export.ts';
import type { UsageReport } from './index.ts';

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;

interface FieldRow {
  subgraph: string;
  coordinate: string;
  requested: number;
  failed: number;
  timedOut: number;
  empty: number;
}

export function fieldRows(report: UsageReport): FieldRow[] {
  return Object.entries(report.subgraphs)
    .flatMap(([subgraph, s]) =>
      Object.entries(s.fields).map(([coordinate, f]) => ({ subgraph, coordinate, ...f })),
    )
    .sort((a, b) => b.requested - a.requested || a.coordinate.localeCompare(b.coordinate));
}

const number = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined ? '–' : n.toLocaleString('en-GB', { maximumFractionDigits: digits });

/** A table cell with a bar behind the number, its length relative to the column's largest value. */
const bar = (value: number, max: number) =>
  `<td class="bar"><span style="width:${max > 0 ? Math.round((value / max) * 100) : 0}%"></span>${number(value)}</td>`;

export function insightsPage(report: UsageReport): string {
  const fields = fieldRows(report);
  const top = fields.slice(0, 25);
  const maxRequested = Math.max(0, ...top.map((f) => f.requested));
  const unmet = fields
    .map((f) => ({ ...f, unmet: f.failed + f.timedOut + f.empty }))
    .filter((f) => f.unmet > 0)
    .sort((a, b) => b.unmet - a.unmet || b.requested - a.requested)
    .slice(0, 25);
  const maxUnmet = Math.max(0, ...unmet.map((f) => f.unmet));
  const subgraphs = Object.entries(report.subgraphs).sort((a, b) => b[1].requests - a[1].requests);
  const maxSubgraph = Math.max(0, ...subgraphs.map(([, s]) => s.requests));
  const agencies = Object.entries(report.agencies).sort((a, b) => a[0].localeCompare(b[0]));
  const a = ASSET_PREFIX;
  const row = (cells: string[]) => `<tr>${cells.join('')}</tr>`;
  const td = (text: string) => `<td>${escapeHtml(text)}</td>`;
  const table = (id: string, head: string[], rows: string[], empty: string) =>
    rows.length === 0
      ? `<p class="none" id="${id}">${escapeHtml(empty)}</p>`
      : `<table id="${id}"><thead>${row(head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`))}</thead><tbody>${rows.join('')}</tbody></table>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Demand for open data · insights</title>
<link rel="stylesheet" href="${a}uPlot.min.css">
<link rel="stylesheet" href="${a}insights.css">
</head>
<body>
<header>
<h1>What is asked of the agencies' data</h1>
<p>Since ${escapeHtml(report.since)} on this gateway: ${number(report.requests.total)} GraphQL requests
(${number(report.requests.byOutcome['ok'] ?? 0)} complete, ${number(report.requests.byOutcome['partial'] ?? 0)} partial,
${number(report.requests.byOutcome['error'] ?? 0)} failed). No personal data is recorded: only schema fields, agency names, counts and timings.
<a href="/insights.csv" download="insights.csv">Download the field figures (CSV)</a> · <a href="/usage">JSON</a> · <a href="/">Explorer</a></p>
</header>
<section>
<h2>Requests over time</h2>
<p class="hint">Operations per minute that asked each agency's subgraph for data (the last 24 hours).
<a href="/insights-timeline.csv" download="insights-timeline.csv">Download per minute (CSV)</a></p>
<div id="timeline"></div>
<p class="hint">The same minutes by the types whose fields were asked for (the eight most asked).</p>
<div id="timeline-types"></div>
</section>
<section>
<h2>Requests per agency</h2>
${table(
  'agencies',
  ['Subgraph', 'Operations', 'Upstream calls', 'Cache hit ratio', 'Latency p50 (ms)', 'Latency p95 (ms)'],
  subgraphs.map(([name, s]) => {
    const agency = report.agencies[name];
    return row([
      td(name),
      bar(s.requests, maxSubgraph),
      td(number(agency?.upstreamCalls ?? 0)),
      td(
        agency?.cache.hitRatio === null || agency?.cache.hitRatio === undefined
          ? '–'
          : `${Math.round(agency.cache.hitRatio * 100)} %`,
      ),
      td(number(agency?.latency.p50Ms, 1)),
      td(number(agency?.latency.p95Ms, 1)),
    ]);
  }),
  'No requests yet.',
)}
</section>
<section>
<h2>Most requested fields</h2>
${table(
  'top-fields',
  ['Field', 'Subgraph', 'Requested', 'Failed', 'Timed out', 'Empty'],
  top.map((f) =>
    row([
      td(f.coordinate),
      td(f.subgraph),
      bar(f.requested, maxRequested),
      td(number(f.failed)),
      td(number(f.timedOut)),
      td(number(f.empty)),
    ]),
  ),
  'No fields requested yet.',
)}
</section>
<section>
<h2>Unmet demand</h2>
<p class="hint">Fields asked for that failed, timed out or came back empty ("no such thing"): what the data does not (yet) answer.</p>
${table(
  'unmet',
  ['Field', 'Subgraph', 'Unmet', 'Failed', 'Timed out', 'Empty', 'Requested'],
  unmet.map((f) =>
    row([
      td(f.coordinate),
      td(f.subgraph),
      bar(f.unmet, maxUnmet),
      td(number(f.failed)),
      td(number(f.timedOut)),
      td(number(f.empty)),
      td(number(f.requested)),
    ]),
  ),
  'Nothing unmet so far.',
)}
</section>
<section>
<h2>Agency APIs</h2>
${table(
  'apis',
  ['Agency', 'Cache hits', 'Misses', 'Stale', 'Errors', 'Calls sent', 'Mean latency (ms)'],
  agencies.map(([name, ag]) =>
    row([
      td(name),
      td(number(ag.cache.hits)),
      td(number(ag.cache.misses)),
      td(number(ag.cache.stale)),
      td(number(ag.cache.errors)),
      td(number(ag.upstreamCalls)),
      td(number(ag.latency.meanMs, 1)),
    ]),
  ),
  'No agency called yet.',
)}
</section>
<script id="insights-data" type="application/json">${scriptJson(report.timeline)}</script>
<script src="${a}uPlot.iife.min.js"></script>
<script src="${a}insights.js"></script>
</body>
</html>
`;
}

export function insightsRoutes(report: () => Promise<UsageReport>): Route[] {
  return [
    async (req, res, url) => {
      if (url.pathname !== '/insights' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
      const body = insightsPage(await report());
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': CSP,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
    async (req, res, url) => {
      if (url.pathname !== '/insights-timeline.csv' || (req.method !== 'GET' && req.method !== 'HEAD'))
        return false;
      // One row per minute and name: kind (all, subgraph, type, upstreamCalls), name, count.
      const rows = (await report()).timeline.flatMap((m) => [
        { minute: m.minute, kind: 'all', name: '', count: m.requests },
        ...Object.entries(m.subgraphs).map(([name, count]) => ({
          minute: m.minute,
          kind: 'subgraph',
          name,
          count,
        })),
        ...Object.entries(m.types).map(([name, count]) => ({ minute: m.minute, kind: 'type', name, count })),
        ...Object.entries(m.upstreamCalls).map(([name, count]) => ({
          minute: m.minute,
          kind: 'upstreamCalls',
          name,
          count,
        })),
      ]);
      res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="insights-timeline.csv"',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : toCsv(rows));
      return true;
    },
    async (req, res, url) => {
      if (url.pathname !== '/insights.csv' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
      const body = toCsv(fieldRows(await report()) as unknown as Array<Record<string, string | number>>);
      res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="insights.csv"',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  ];
}
