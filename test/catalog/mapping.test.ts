/**
 * The agencies' `catalog-datasets.json` files: one per AgencyId value, every field they name exists
 * in the API schema, every rule recognises something in the (simulated) catalogue, and a broken file
 * fails loudly, naming the file.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildASTSchema, isObjectType, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../kit/simulator.ts';
import { decodeDataset } from '../../subgraphs/catalog/decode.ts';
import { schemaAgencyIds } from '../../subgraphs/catalog/index.ts';
import { T } from '../../subgraphs/catalog/rdf.ts';
import { checkAgencyIds } from '../../subgraphs/catalog/resolvers.ts';
import { agencyMappings, parseMapping, ruleMatches } from '../../subgraphs/catalog/served.ts';
import { buildCatalogue } from '../../subgraphs/catalog/simulator/catalogue.ts';
import { genericSpec } from '../../subgraphs/catalog/simulator/synthetic.ts';
import { subgraphModules } from '../../subgraphs/index.ts';
import { BASE } from './helpers.ts';

describe('catalog-datasets.json of every agency', () => {
  const mappings = agencyMappings();

  it('one file per AgencyId value, each in the folder of a listed subgraph', () => {
    expect(mappings.map((m) => m.agencyId).sort()).toEqual([...schemaAgencyIds()].sort());
    expect(() => checkAgencyIds(schemaAgencyIds())).not.toThrow();
    expect(() => checkAgencyIds([...schemaAgencyIds(), 'NATURVARDSVERKET'])).toThrow(
      /NATURVARDSVERKET has no subgraphs\/naturvardsverket\/catalog-datasets\.json/,
    );
    for (const m of mappings) {
      expect(subgraphModules.map((s) => s.name)).toContain(m.subgraph);
      expect(m.subgraph).toBe(m.agencyId.toLowerCase());
    }
  });

  it('names only fields that exist in the API schema', () => {
    const api = buildASTSchema(parse(readFileSync('schema/api-schema.graphql', 'utf8')), {
      assumeValidSDL: true,
    });
    for (const m of mappings) {
      for (const rule of m.served) {
        for (const coordinate of rule.fields) {
          const [type, field] = coordinate.split('.') as [string, string];
          const t = api.getType(type);
          expect(t && isObjectType(t) && field in t.getFields(), `${m.subgraph}: ${coordinate}`).toBe(true);
        }
      }
    }
  });

  it('every rule recognises at least one entry of the simulated catalogue', () => {
    const cat = buildCatalogue(BASE);
    const datasets = cat.entries
      .filter((e) =>
        (e.metadata[e.resource]?.['http://www.w3.org/1999/02/22-rdf-syntax-ns#type'] ?? []).some(
          (t) => t.value === T.Dataset || t.value === T.DataService,
        ),
      )
      .map((e) => decodeDataset(e.metadata, e.resource, { contextId: e.contextId, entryId: e.entryId }));
    for (const m of mappings) {
      const own = datasets.filter((d) => d.publisherUris.some((p) => m.publishers.includes(p)));
      expect(own.length, m.agencyId).toBeGreaterThanOrEqual(15);
      for (const rule of m.served) {
        const hits = own.filter((d) =>
          ruleMatches(rule, {
            resourceUri: d.resourceUri,
            identifiers: d.identifiers,
            landingPages: d.landingPages,
            endpointUrls: d.endpointUrls,
            title: d.title,
          }),
        );
        expect(hits.length, `${m.agencyId}: ${rule.title}`).toBeGreaterThan(0);
      }
      // …and not everything: an agency publishes more than the graph serves.
      const served = own.filter((d) =>
        m.served.some((rule) =>
          ruleMatches(rule, {
            resourceUri: d.resourceUri,
            identifiers: d.identifiers,
            landingPages: d.landingPages,
            endpointUrls: d.endpointUrls,
            title: d.title,
          }),
        ),
      );
      expect(served.length, m.agencyId).toBeLessThan(own.length);
    }
  });

  it('a broken file fails loudly, naming the file and what is wrong', () => {
    const ok = { agencyId: 'X', name: 'X', publishers: ['http://x'], served: [] };
    expect(() => parseMapping({ ...ok, agencyId: 'x' }, 'x')).toThrow(
      /subgraphs\/x\/catalog-datasets\.json: "agencyId"/,
    );
    expect(() => parseMapping({ ...ok, publishers: [] }, 'x')).toThrow(/"publishers"/);
    expect(() =>
      parseMapping({ ...ok, served: [{ title: 't', match: { titel: 'x' }, fields: ['A.b'] }] }, 'x'),
    ).toThrow(/match must use one or more of identifier/);
    expect(() =>
      parseMapping({ ...ok, served: [{ title: 't', match: { titlePattern: '(' }, fields: ['A.b'] }] }, 'x'),
    ).toThrow(/not a valid regular expression/);
    expect(() =>
      parseMapping(
        { ...ok, served: [{ title: 't', match: { identifier: 'T' }, fields: ['population'] }] },
        'x',
      ),
    ).toThrow(/schema coordinates/);
    const dir = mkdtempSync(join(tmpdir(), 'catalog-mapping-'));
    for (const name of ['a', 'b']) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'catalog-datasets.json'), JSON.stringify(ok));
    }
    expect(() => agencyMappings(dir)).toThrow(/both claim agency X/);
  });

  it('an agency that joins later gets offline entries its rules recognise', () => {
    const mapping = parseMapping(
      {
        agencyId: 'NATURVARDSVERKET',
        name: 'Naturvårdsverket',
        publishers: ['http://dataportal.se/organisation/SE2021002494'],
        served: [
          {
            title: 'Skyddade områden',
            match: { resource: 'https://nv.example/dataset/skyddade' },
            fields: ['Query.agencies'],
          },
          {
            title: 'Luftdata',
            match: { identifier: 'nv-luft', landingPagePrefix: 'https://nv.example/luft' },
            fields: ['Query.agencies'],
          },
          {
            title: 'Skyddade områden API',
            match: { endpointUrlPrefix: 'https://api.nv.example/skyddade' },
            fields: ['Query.agencies'],
          },
        ],
      },
      'naturvardsverket',
    );
    const spec = genericSpec(mapping, 0, seededRandom('t'));
    const view = (d: (typeof spec.datasets)[number]) => ({
      resourceUri: d.resource ?? null,
      identifiers: d.identifier ? [d.identifier] : [],
      landingPages: d.landingPage ? [d.landingPage] : [],
      endpointUrls: [],
      title: { sv: d.sv, en: null, text: d.sv },
    });
    expect(spec.datasets.filter((d) => ruleMatches(mapping.served[0]!, view(d)))).toHaveLength(1);
    expect(spec.datasets.filter((d) => ruleMatches(mapping.served[1]!, view(d)))).toHaveLength(1);
    expect(spec.services.map((s) => s.endpoint)).toEqual(['https://api.nv.example/skyddade']);
    expect(spec.datasets.length).toBeGreaterThan(10);
  });
});
