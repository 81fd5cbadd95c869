import type { FieldCosts } from '../../kit/cost.ts';

/** Sizes of the embedded geography: 290 municipalities, 21 counties, at most 49 in one county (Västra Götaland). */
export const MUNICIPALITY_COUNT = 290;
export const COUNTY_COUNT = 21;
export const LARGEST_COUNTY = 49;

/**
 * What Lantmäteriet's fields cost (see `kit/cost.ts`). The backbone (codes, names, outlines, the
 * point-in-polygon `Place.municipality`) is embedded: no agency call, only the size of the answer.
 */
export const cost: FieldCosts = {
  'Query.municipalities': { assumedSize: (args) => (args['county'] ? LARGEST_COUNTY : MUNICIPALITY_COUNT) },
  'Query.counties': { assumedSize: COUNTY_COUNT },
  'County.municipalities': { assumedSize: LARGEST_COUNTY },
  // FeatureCollections: embedded, no agency call; their `features` list is as long as the members.
  'Query.municipalityFeatures': {
    assumedSize: (args) => (args['county'] ? LARGEST_COUNTY : MUNICIPALITY_COUNT),
    sizedFields: ['features'],
  },
  'Query.countyFeatures': { assumedSize: COUNTY_COUNT, sizedFields: ['features'] },
  'County.municipalityFeatures': { assumedSize: LARGEST_COUNTY, sizedFields: ['features'] },
  'Query.placeNames': { agency: 'lantmateriet', calls: 'item' },
  'Query.addresses': { agency: 'lantmateriet', calls: 'item' },
  // Every place of one request in one MultiPoint call.
  'Place.elevation': { agency: 'lantmateriet', calls: 'batch' },
  'Place.nearestPlaceName': { agency: 'lantmateriet', calls: 'item' },
  'Place.nearestAddress': { agency: 'lantmateriet', calls: 'item' },
  // Only the authoritative outline (detail: FULL) calls Lantmäteriet; the default is embedded.
  'Municipality.boundary': {
    agency: 'lantmateriet',
    calls: 'item',
    callsIf: (args) => args['detail'] === 'FULL',
  },
  'County.boundary': { agency: 'lantmateriet', calls: 'item', callsIf: (args) => args['detail'] === 'FULL' },
};
