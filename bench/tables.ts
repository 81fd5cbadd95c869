/**
 * The README's tables of a `npm run bench:compare` run, as Markdown, from its results file: median
 * req/s (min–max), median p50 / p99, and the ratios against issue 14's targets (bold: below). Copy
 * them into the README's performance section after a run, instead of transcribing figures.
 *
 *   npx tsx bench/tables.ts                         # bench/results/compare.json
 *   npx tsx bench/tables.ts /tmp/other-run.json
 */
import { readFileSync } from 'node:fs';

interface Figures {
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50: number;
  p99: number;
}
interface Results {
  date: string;
  settings: { targets: string[]; queries: string[] };
  queries: Record<string, Record<string, Figures>>;
  ratios: Record<string, Record<string, number | null>>;
}

/** Each ratio's column title and issue 14's target (`undefined`: reported, no target). */
const RATIO_COLUMNS: Array<[string, string, number | undefined]> = [
  ['default_vs_hive', 'default ÷ hive (≥ 2)', 2],
  ['default_vs_hive_rust', 'default ÷ hive_rust (≥ 1.5)', 1.5],
  ['http_vs_hive', 'http ÷ hive (≥ 1.2)', 1.2],
  ['nocache_vs_hive', 'nocache ÷ hive (≥ 1.3)', 1.3],
  ['nocache_vs_hive_rust', 'nocache ÷ hive_rust', undefined],
  ['default_vs_hive_cached', 'default ÷ hive_cached (≥ 1.0)', 1.0],
  ['default_vs_limit', 'default ÷ limit (≥ 0.25 for readme)', 0.25],
];

/** 12345.6 → "12 346" (the README's thousands separator). */
export function thousands(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

export function tables(results: Results): string {
  const { targets, queries } = results.settings;
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const header = (first: string, columns: string[]) =>
    [row([first, ...columns]), row([first, ...columns].map(() => '---'))].join('\n');
  const cell = (q: string, t: string, f: (x: Figures) => string) => {
    const x = results.queries[q]?.[t];
    return x ? f(x) : '–';
  };
  const rps = [
    header(
      'query',
      targets.map((t) => `\`${t}\``),
    ),
    ...queries.map((q) =>
      row([
        q,
        ...targets.map((t) =>
          cell(q, t, (x) => `${thousands(x.rps)} (${thousands(x.rpsMin)}–${thousands(x.rpsMax)})`),
        ),
      ]),
    ),
  ].join('\n');
  const latency = [
    header(
      'query',
      targets.map((t) => `\`${t}\``),
    ),
    ...queries.map((q) => row([q, ...targets.map((t) => cell(q, t, (x) => `${x.p50} / ${x.p99}`))])),
  ].join('\n');
  const ratios = [
    header(
      'query',
      RATIO_COLUMNS.map(([, title]) => title),
    ),
    ...queries.map((q) =>
      row([
        q,
        ...RATIO_COLUMNS.map(([name, , target]) => {
          const value = results.ratios[q]?.[name];
          if (value === undefined || value === null) return '–';
          // The bare-limit target is the README query's only.
          const applies = target !== undefined && (name !== 'default_vs_limit' || q === 'readme');
          const text = value.toFixed(2);
          return applies && value < target ? `**${text}**` : text;
        }),
      ]),
    ),
  ].join('\n');
  return [
    `Median req/s (min–max), run of ${results.date}:`,
    rps,
    'Median p50 / p99 latency, ms:',
    latency,
    "Ratios of median req/s, against issue 14's targets (bold: below the target):",
    ratios,
  ].join('\n\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? 'bench/results/compare.json';
  console.log(tables(JSON.parse(readFileSync(file, 'utf8')) as Results));
}
