/**
 * npm run snapshot:seed — (re)builds the offline snapshot from `snapshot/manifest/*.json` (one file per agency): each entry
 * names a request (method, URL, optional JSON body) and the fixture file whose body answers it.
 * Recorded fixtures are real agency responses; entries marked `synthetic` follow a recorded shape with
 * values we made up (see snapshot/README.md). `npm run record` overwrites entries with live answers.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileSnapshotStore } from '../kit/snapshot.ts';

interface ManifestEntry {
  method?: 'GET' | 'POST';
  url: string;
  body?: unknown;
  /** Fixture path relative to the repository root. `.txt` files are raw HTTP: headers, blank line, body. */
  fixture: string;
  status?: number;
  synthetic?: boolean;
  note: string;
}

const manifestDir = 'snapshot/manifest';
const entries: ManifestEntry[] = readdirSync(manifestDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap(
    (f) => (JSON.parse(readFileSync(join(manifestDir, f), 'utf8')) as { entries: ManifestEntry[] }).entries,
  );
const store = createFileSnapshotStore('snapshot');

function readFixture(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  if (!path.endsWith('.txt')) return JSON.parse(text);
  const split = text.indexOf('\n\n');
  return JSON.parse(text.slice(split + 2));
}

for (const entry of entries) {
  await store.put({
    request:
      entry.body === undefined
        ? { method: entry.method ?? 'GET', url: entry.url }
        : { method: entry.method ?? 'GET', url: entry.url, body: entry.body },
    response: {
      status: entry.status ?? 200,
      headers: { 'content-type': 'application/json' },
      body: readFixture(entry.fixture),
    },
    recordedAt: 'seeded from fixture',
    note: `${entry.synthetic ? 'SYNTHETIC values. ' : ''}${entry.note} (fixture: ${entry.fixture})`,
  });
}
const rows = entries.map(
  (e) =>
    `| ${e.method ?? 'GET'} \`${e.url}\`${e.body === undefined ? '' : ' (JSON body)'} | \`${e.fixture}\` | ${e.synthetic ? '**synthetic**' : 'recorded'} | ${e.note.replace(/\|/g, '\\|')} |`,
);
writeFileSync(
  'snapshot/README.md',
  `# Offline snapshot

What \`npm run demo\` and the snapshot-mode tests replay (\`UPSTREAM_MODE=snapshot\`): one JSON file per
upstream request, named after the request and keyed by method + URL (+ JSON body). In snapshot mode
the gateway never touches the network; a request with no recording fails with an error that names it.

- **Refresh from the live APIs** (needs internet): \`npm run record\` — runs the example queries in
  record mode and overwrites the files it touches with live answers (request headers, and so
  credentials, are never stored).
- **Rebuild from fixtures**: \`npm run snapshot:seed\` — writes the files listed in
  \`manifest/*.json\` from the fixtures named there, and regenerates this README. Do not edit the table
  below by hand.

"recorded" = a real agency response (see \`test/fixtures/PROVENANCE.md\` for who recorded it and when),
sometimes replayed for a different point than it was recorded for, as the note says. "**synthetic**" =
a file we wrote by hand following a recorded or documented shape; its values are made up.

| Request | Fixture | Values | Note |
|---|---|---|---|
${rows.join('\n')}
`,
);
console.log(`Seeded ${entries.length} snapshot entries and wrote snapshot/README.md.`);
