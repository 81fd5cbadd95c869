import type { FieldCosts } from '../../kit/cost.ts';

/** A search page: one JobSearch call per search, its `nodes` (and the deprecated `ads`) sized by `limit`. */
const search = { agency: 'jobtech', calls: 'item', sizedFields: ['nodes', 'ads'] } as const;

/**
 * What JobTech's fields cost (see `kit/cost.ts`). Every search is its own call (JobSearch takes one
 * query at a time); counts for many municipalities come from one statistics facet call.
 */
export const cost: FieldCosts = {
  'Query.jobAds': search,
  'Municipality.jobAds': search,
  'County.jobAds': search,
  'Place.jobAdsNearby': search,
  'Municipality.jobAdCount': { agency: 'jobtech', calls: 'batch' },
  'County.jobAdCount': { agency: 'jobtech', calls: 'batch' },
  // One call within a county, or Sweden-wide largest-first up to 30; else a facet per county and a
  // few single searches for the two counties with more than 30 municipalities.
  'Query.rankMunicipalitiesByJobAds': {
    agency: 'jobtech',
    calls: 'batch',
    callsPer: (args) =>
      typeof args['county'] === 'string' ||
      (args['order'] !== 'ASC' && (typeof args['first'] !== 'number' || args['first'] <= 30))
        ? 1
        : 45,
  },
  'Query.rankCountiesByJobAds': { agency: 'jobtech', calls: 'batch', assumedSize: 21 },
  'Query.jobAd': { agency: 'jobtech', calls: 'item' },
  'Query.jobAdSuggestions': { agency: 'jobtech', calls: 'item' },
  'Query.jobAdCompletions': { agency: 'jobtech', calls: 'item' },
};
