import type { FieldCosts } from '../../kit/cost.ts';

/**
 * What SGU's fields cost (see `kit/cost.ts`). Each is one OGC API Features request per municipality,
 * station or point: SGU's collections are queried one filter at a time.
 */
export const cost: FieldCosts = {
  'Municipality.groundwaterStations': { agency: 'sgu', calls: 'item', assumedSize: 5 },
  'Municipality.wells': { agency: 'sgu', calls: 'item' },
  // The listing, and a count when SGU's listing does not say how many matched.
  'Municipality.wellsPage': { agency: 'sgu', calls: 'item', callsPer: 2, sizedFields: ['nodes'] },
  'Municipality.wellCount': { agency: 'sgu', calls: 'item' },
  'Query.groundwaterStation': { agency: 'sgu', calls: 'item' },
  'GroundwaterStation.levels': { agency: 'sgu', calls: 'item' },
  'GroundwaterStation.latestLevel': { agency: 'sgu', calls: 'item' },
  'Place.soilType': { agency: 'sgu', calls: 'item' },
  'Place.bedrock': { agency: 'sgu', calls: 'item' },
  'Place.nearestGroundwaterStations': { agency: 'sgu', calls: 'item' },
};
