import type { FieldCosts } from '../../kit/cost.ts';

/** One table's data for every region of one request in one request (plus its cached metadata). */
const batched = { agency: 'scb', calls: 'batch', callsPer: 2 } as const;

/**
 * What SCB's fields cost (see `kit/cost.ts`): population, income and table values for any number of
 * regions are one data request per table and year, split only at SCB's cell limit.
 */
export const cost: FieldCosts = {
  'Municipality.population': batched,
  'Municipality.populationFigure': batched,
  'Municipality.populationHistory': { ...batched, assumedSize: 30 },
  'Municipality.income': batched,
  'Municipality.statistics': batched,
  'County.population': batched,
  'County.populationFigure': batched,
  'County.populationHistory': { ...batched, assumedSize: 30 },
  'County.income': batched,
  'County.statistics': batched,
  'County.largestMunicipalities': batched,
  'SwedenStatistics.population': batched,
  'SwedenStatistics.populationFigure': batched,
  'SwedenStatistics.populationHistory': { ...batched, assumedSize: 30 },
  'SwedenStatistics.income': batched,
  'SwedenStatistics.statistics': batched,
  'Query.statistics': batched,
  'Query.rankMunicipalities': { ...batched, assumedSize: 10 },
  'Query.rankCounties': { ...batched, assumedSize: 21 },
  'Query.statisticsTables': { agency: 'scb', calls: 'item', slicingArguments: ['pageSize'], assumedSize: 20 },
  'Query.statisticsTableSearch': {
    agency: 'scb',
    calls: 'item',
    slicingArguments: ['pageSize'],
    sizedFields: ['tables'],
  },
  // A window that straddles two of SCB's pages is two calls.
  'Query.statisticsTablesPage': { agency: 'scb', calls: 'item', callsPer: 2, sizedFields: ['nodes'] },
  'StatisticsResult.rowsPage': { sizedFields: ['nodes'] },
  'Query.statisticsTable': { agency: 'scb', calls: 'item' },
  'StatisticsTable.variables': { assumedSize: 6 },
  'StatisticsVariable.values': { assumedSize: 320 },
};
