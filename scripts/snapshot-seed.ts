/**
 * npm run snapshot:seed — (re)builds the offline snapshot from `snapshot/manifest/*.json` (one file per agency): each entry
 * names a request (method, URL, optional JSON body) and the fixture file whose body answers it.
 * Recorded fixtures are real agency responses; entries marked `synthetic` follow a recorded shape with
 * values we made up (see snapshot/README.md). `npm run record` overwrites entries with live answers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileSnapshotStore } from '../subgraphs/kit/snapshot.ts';

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
console.log(`Seeded ${entries.length} snapshot entries.`);
