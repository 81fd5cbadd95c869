import type { FieldCosts } from '../../kit/cost.ts';
import { FACET_LIMIT } from './query.ts';

/** A page of the registry's search: one call per page (facets included), its `nodes` sized by `limit`. */
const page = { agency: 'catalog', calls: 'item', sizedFields: ['nodes'] } as const;
/** Look-ups by resource URI: 20 per registry call for a whole response (DataLoader `catalog.resource`). */
const lookup = { agency: 'catalog', calls: 'batch' } as const;
const facet = { assumedSize: FACET_LIMIT } as const;

/**
 * What the catalog's fields cost (see `kit/cost.ts`). Every search is one registry call; a dataset by
 * id is two (its entry and its recursive metadata); names, contact points, distributions and serving
 * APIs of a page are looked up 20 at a time. Agencies and their mapping rules cost nothing upstream.
 */
export const cost: FieldCosts = {
  'Query.datasets': page,
  'Agency.datasets': page,
  'Municipality.datasets': page,
  'County.datasets': page,
  'Agency.datasetCounts': { agency: 'catalog', calls: 'item' },
  'Query.dataset': { agency: 'catalog', calls: 'item', callsPer: 2 },
  'Query.catalogStatistics': { agency: 'catalog', calls: 'item' },
  'Query.agencies': { assumedSize: 5 },
  'Agency.servedByGraph': { assumedSize: 8 },
  'Dataset.distributions': { ...lookup, assumedSize: 3 },
  'Dataset.contactPoint': lookup,
  'Dataset.endpointUrls': { ...lookup, sharedCall: 'catalog:endpoints' },
  'Dataset.endpointDescriptions': { ...lookup, sharedCall: 'catalog:endpoints' },
  'CatalogPublisher.name': lookup,
  'FacetCount.label': lookup,
  'DatasetFacets.publishers': facet,
  'DatasetFacets.themes': facet,
  'DatasetFacets.formats': facet,
  'DatasetFacets.highValueCategories': { assumedSize: 6 },
  'DatasetCounts.byTheme': facet,
  'DatasetCounts.byFormat': facet,
  'DatasetCounts.byHighValueCategory': { assumedSize: 6 },
};
