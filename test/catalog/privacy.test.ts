/**
 * Personal data in the catalogue (contact persons' names, e-mail addresses and telephone numbers,
 * a publisher's personal mailbox) never reaches an answer, a log line or the cache.
 */
import { execute, parse } from 'graphql';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../kit/logger.ts';
import { OfflineDispatcher } from '../../kit/simulator.ts';
import { createTrace } from '../../kit/upstream.ts';
import { buildCatalogue } from '../../subgraphs/catalog/simulator/catalogue.ts';
import { BASE, catalogRuntime, NOW, simulator } from './helpers.ts';

const VCARD = 'http://www.w3.org/2006/vcard/ns#';

/** Every personal value the simulated catalogue holds: people's names, e-mail addresses, phone numbers. */
function personalValues(): string[] {
  const out = new Set<string>();
  for (const e of buildCatalogue(BASE).entries) {
    for (const [subject, node] of Object.entries(e.metadata)) {
      const types = (node['http://www.w3.org/1999/02/22-rdf-syntax-ns#type'] ?? []).map((t) => t.value);
      const person = types.includes(`${VCARD}Individual`) || types.includes(`${VCARD}Kind`);
      for (const [p, vs] of Object.entries(node)) {
        for (const v of vs) {
          if (v.value.startsWith('mailto:') || v.value.startsWith('tel:')) {
            out.add(v.value);
            out.add(v.value.replace(/^(mailto|tel):/, ''));
          }
          if (person && p === `${VCARD}fn`) out.add(v.value);
        }
      }
      void subject;
    }
  }
  return [...out];
}

describe('personal data never reaches an answer, a log or the cache', () => {
  it('holds personal values to look for (the check is not vacuous)', () => {
    const values = personalValues();
    expect(values).toContain('fornamn.efternamn@example.invalid'); // the recorded publisher's (redacted) mailbox
    expect(values.filter((v) => /^[A-ZÅÄÖ][a-zåäö]+ [A-ZÅÄÖ][a-zåäö]+$/.test(v)).length).toBeGreaterThan(3); // people's names
  });

  it('answers, debug logs and cache entries carry none of them', async () => {
    const lines: string[] = [];
    const store = new Map<string, unknown>();
    const cache = new Keyv({ store });
    const dispatcher = new OfflineDispatcher({ simulators: [simulator()], now: () => NOW });
    const runtime = catalogRuntime({
      dispatcher,
      cache,
      logger: createLogger('debug', (l) => lines.push(l)),
    });
    const run = (query: string) =>
      execute({
        schema: runtime.schema,
        document: parse(query),
        contextValue: runtime.contextFor({ trace: createTrace() }),
      });
    try {
      const answers = [
        // SCB's datasets link contact persons; the Försäkringskassan publisher has a personal mailbox.
        await run(
          `{ agency(id: SCB) { datasets(limit: 60) { nodes { id contactPoint { organisation } publisher { name } distributions { title accessUrl } } } } }`,
        ),
        await run(
          `{ datasets(limit: 100) { nodes { contactPoint { organisation } publisher { name } } facets { publishers { label } } } }`,
        ),
        await run(
          `{ dataset(id: "547_28672") { contactPoint { organisation } publisher { name } distributions { title } } }`,
        ),
        await run(
          `{ d: dataset(id: "547_0") { id } bad: datasets(search: "ab", limit: 500) { totalCount } }`,
        ),
      ];
      const answerText = JSON.stringify(answers);
      expect(answerText).toContain('Statistikservice'); // an organisation contact does come through
      const contacts = (
        answers[0]!.data as {
          agency: { datasets: { nodes: Array<{ contactPoint: { organisation: string | null } | null }> } };
        }
      ).agency.datasets.nodes.map((n) => n.contactPoint?.organisation);
      expect(contacts).toContain('Statistikmyndigheten SCB'); // a person's organisation, without the person
      const cacheText = JSON.stringify([...store.values()]);
      expect(cacheText.length).toBeGreaterThan(10_000); // the cache holds the answers
      const logText = lines.join('\n');
      for (const value of personalValues()) {
        expect(answerText, `answer holds ${value}`).not.toContain(value);
        expect(cacheText, `cache holds ${value}`).not.toContain(value);
        expect(logText, `log holds ${value}`).not.toContain(value);
      }
      expect(`${answerText}${cacheText}${logText}`).not.toContain('mailto:');
    } finally {
      await runtime.close();
      await dispatcher.close();
    }
  }, 120_000);
});
