import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fullEnvSpec } from '../gateway/src/config.ts';
import { snapshotFileName } from '../kit/snapshot.ts';

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');
  it('documents every environment variable the code reads', () => {
    const missing = Object.keys(fullEnvSpec()).filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
  it('shows the quick-start commands', () => {
    for (const command of ['npm ci', 'npm start', 'npm test', 'npm run demo'])
      expect(readme).toContain(command);
  });
});

describe('offline snapshot', () => {
  interface Entry {
    method?: string;
    url: string;
    body?: unknown;
    fixture: string;
  }
  const entries = readdirSync('snapshot/manifest')
    .filter((f) => f.endsWith('.json'))
    .flatMap(
      (f) => (JSON.parse(readFileSync(join('snapshot/manifest', f), 'utf8')) as { entries: Entry[] }).entries,
    );

  it.each(entries.map((e) => [e.url, e] as const))('has the seeded recording for %s', (_url, entry) => {
    const file = join('snapshot', snapshotFileName(entry.method ?? 'GET', entry.url, entry.body));
    expect(existsSync(file), `${file} missing: run npm run snapshot:seed`).toBe(true);
    const text = readFileSync(entry.fixture, 'utf8');
    const fixture = entry.fixture.endsWith('.txt')
      ? JSON.parse(text.slice(text.indexOf('\n\n') + 2))
      : JSON.parse(text);
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as { response: { body: unknown } };
    expect(recorded.response.body).toEqual(fixture);
  });

  it('marks every synthetic fixture it uses', () => {
    const unmarked = entries.filter(
      (e) => /synthetic/i.test(e.fixture) !== ((e as { synthetic?: boolean }).synthetic === true),
    );
    expect(unmarked.map((e) => e.fixture)).toEqual([]);
  });
});
