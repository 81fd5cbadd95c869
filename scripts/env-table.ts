/**
 * npm run env:table — prints the configuration table for the README from the code's env specs.
 * `npm run env:table -- --write` replaces the table in README.md (the rows under its
 * `| Variable | Default | Allowed | What it does |` header) with the generated one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { fullEnvSpec } from '../gateway/src/config.ts';

export const ENV_TABLE_HEADER = '| Variable | Default | Allowed | What it does |';

/** The table, one line per row, header first. */
export function envTable(): string[] {
  const lines = [ENV_TABLE_HEADER, '|---|---|---|---|'];
  for (const [name, v] of Object.entries(fullEnvSpec())) {
    const def = v.default === undefined ? '—' : `\`${v.default}\``;
    lines.push(
      `| \`${name}\` | ${def} | ${v.allowed} | ${v.description}${v.secret ? ' (secret: never logged)' : ''} |`,
    );
  }
  return lines;
}

/** `readme` with its configuration table (header line and the table rows after it) replaced by `table`. */
export function replaceEnvTable(readme: string, table: readonly string[]): string {
  const lines = readme.split('\n');
  const start = lines.indexOf(ENV_TABLE_HEADER);
  if (start < 0) throw new Error(`README.md has no configuration table (a line "${ENV_TABLE_HEADER}")`);
  let end = start;
  while (end < lines.length && lines[end]!.startsWith('|')) end++;
  lines.splice(start, end - start, ...table);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--write')) {
    const file = 'README.md';
    const before = readFileSync(file, 'utf8');
    const after = replaceEnvTable(before, envTable());
    if (after !== before) writeFileSync(file, after);
    console.log(
      after === before
        ? `${file}: the configuration table is up to date.`
        : `Wrote the configuration table in ${file}.`,
    );
  } else console.log(envTable().join('\n'));
}
