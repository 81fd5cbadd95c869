/**
 * No silent null: a null with no error means "the agency has no such thing", and every field whose
 * value comes from an agency says in its description when that happens ("Null when SMHI's step does
 * not give it", "Empty when no station lies within radiusKm", "Null only with an error").
 *
 * Errors make every such field null too, with a typed error on its path (`extensions.code` says why,
 * `extensions.agency` which agency): a description therefore says only when the field is null (for
 * a list: null or empty) WITHOUT an error. A case that is not "the agency has no such thing" (a
 * swallowed failure, a 404 of an endpoint that must exist, an answer that does not match the
 * request) is not documented as a null: it is an error.
 *
 * Checked on the composed API schema for every non-deprecated nullable field that is resolved from
 * an agency: the fields a subgraph's cost map says call one (`agency`), and every nullable field of
 * the types below, whose objects are built from an agency's answer.
 */
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  type GraphQLField,
  type GraphQLSchema,
  getNullableType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import type { FieldCost } from '../../kit/cost.ts';
import { subgraphModules } from '../../subgraphs/index.ts';

/**
 * Types whose objects come from an agency's answer (a forecast step, a job ad, a well, ...): each of
 * their nullable fields is null when that answer lacks the value, and says so. Types the gateway
 * holds itself (Municipality, County, Place, the catalogue's vocabulary and mapping files) are not
 * here: their agency fields are the cost-mapped ones.
 */
const AGENCY_ANSWER_TYPES: Record<string, string> = {
  // SMHI
  ForecastStep: 'smhi',
  ForecastRun: 'smhi',
  ObservationSeries: 'smhi',
  Observation: 'smhi',
  WeatherStation: 'smhi',
  CurrentWeather: 'smhi',
  CurrentObservation: 'smhi',
  WeatherWarning: 'smhi',
  WarningArea: 'smhi',
  WarningAffectedArea: 'smhi',
  SmhiLocalizedText: 'smhi',
  SmhiLocalizedCode: 'smhi',
  // JobTech
  JobAd: 'jobtech',
  JobAdSearch: 'jobtech',
  JobAdDescription: 'jobtech',
  JobAdEmployer: 'jobtech',
  JobAdApplication: 'jobtech',
  JobAdScope: 'jobtech',
  JobAdWorkplace: 'jobtech',
  JobAdSuggestion: 'jobtech',
  TaxonomyConcept: 'jobtech',
  // Lantmäteriet
  PlaceName: 'lantmateriet',
  Address: 'lantmateriet',
  // SGU
  GroundwaterStation: 'sgu',
  GroundwaterLevel: 'sgu',
  Well: 'sgu',
  WellUse: 'sgu',
  WellPage: 'sgu',
  SoilType: 'sgu',
  Bedrock: 'sgu',
  // SCB
  PopulationFigure: 'scb',
  Income: 'scb',
  StatisticsTable: 'scb',
  StatisticsResult: 'scb',
  StatisticsRow: 'scb',
  StatisticsMeasure: 'scb',
  // The data catalogue
  Dataset: 'catalog',
  CatalogText: 'catalog',
  CatalogPublisher: 'catalog',
  CatalogContactPoint: 'catalog',
  CatalogDistribution: 'catalog',
  CatalogPeriod: 'catalog',
  CatalogLocation: 'catalog',
  CatalogKeyword: 'catalog',
  CatalogStatistics: 'catalog',
  FacetCount: 'catalog',
};

/** Says when the field is null (a list: null or empty). */
const SAYS_WHEN_NULL = /\bnull\b/i;
const SAYS_WHEN_NULL_OR_EMPTY = /\bnull\b|\bempty\b/i;

function saysWhenNull(field: GraphQLField<unknown, unknown>): boolean {
  const pattern = isListType(getNullableType(field.type)) ? SAYS_WHEN_NULL_OR_EMPTY : SAYS_WHEN_NULL;
  return pattern.test(field.description ?? '');
}

/** The non-deprecated nullable agency fields of `schema`, and those whose description does not say when they are null. */
function nullDocs(
  schema: GraphQLSchema,
  costs: ReadonlyMap<string, FieldCost>,
  answerTypes: Readonly<Record<string, string>>,
): { checked: string[]; undocumented: string[] } {
  const checked: string[] = [];
  const undocumented: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('_')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.deprecationReason || isNonNullType(field.type)) continue;
      const coordinate = `${type.name}.${field.name}`;
      if (!costs.get(coordinate)?.agency && !(type.name in answerTypes)) continue;
      checked.push(coordinate);
      if (!saysWhenNull(field)) undocumented.push(coordinate);
    }
  }
  return { checked: checked.sort(), undocumented: undocumented.sort() };
}

describe('nullDocs', () => {
  const schema = buildSchema(`
    type Step { "Air temperature, °C. Null when SMHI's step does not give it." t: Float "Wind, m/s." w: Float "Always there." id: ID! "Old." o: Int @deprecated }
    type Place { "Steps. Empty when none lies in the window." steps: [Step!] "Stations near it." near: [Step!] "Embedded." name: String "Height." h: Float }
    type Query { "A place." place: Place }
  `);
  const costs = new Map<string, FieldCost>([
    ['Place.steps', { agency: 'smhi', calls: 'item' }],
    ['Place.near', { agency: 'smhi', calls: 'item' }],
    ['Place.h', { agency: 'lantmateriet', calls: 'batch' }],
  ]);

  it('names nullable agency fields (cost-mapped or of an answer type) that do not say when they are null', () => {
    expect(nullDocs(schema, costs, { Step: 'smhi' })).toEqual({
      checked: ['Place.h', 'Place.near', 'Place.steps', 'Step.t', 'Step.w'],
      undocumented: ['Place.h', 'Place.near', 'Step.w'],
    });
  });

  it('accepts "empty" only for lists', () => {
    const s = buildSchema(
      'type Query { "Empty when none." a: [Int] "Empty when none." b: Int "Null only with an error." c: Int }',
    );
    const c = new Map<string, FieldCost>(
      ['a', 'b', 'c'].map((f) => [`Query.${f}`, { agency: 'scb', calls: 'item' }]),
    );
    expect(nullDocs(s, c, {}).undocumented).toEqual(['Query.b']);
  });
});

describe('the API schema says when each agency field is null', () => {
  const schema = buildSchema(readFileSync('schema/api-schema.graphql', 'utf8'));
  const costs = new Map(subgraphModules.flatMap((m) => Object.entries(m.cost ?? {})));
  const { checked, undocumented } = nullDocs(schema, costs, AGENCY_ANSWER_TYPES);

  it('every type listed as an agency answer exists and belongs to that agency', () => {
    const missing = Object.keys(AGENCY_ANSWER_TYPES).filter((name) => !isObjectType(schema.getType(name)));
    expect(missing, 'AGENCY_ANSWER_TYPES names types the API schema does not have').toEqual([]);
    const agencies = new Set(subgraphModules.map((m) => m.name));
    expect(Object.values(AGENCY_ANSWER_TYPES).filter((a) => !agencies.has(a))).toEqual([]);
  });

  it('checks the fields of every agency', () => {
    // The cost maps name the agency fields and the answer types add theirs (an empty walk would pass vacuously).
    expect(checked.length).toBeGreaterThan(250);
  });

  it('every nullable agency field says when it is null (for lists: null or empty) without an error', () => {
    expect(undocumented, 'fields whose description does not say when they are null').toEqual([]);
  });
});
