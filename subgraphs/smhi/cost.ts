import type { FieldCosts } from '../../kit/cost.ts';

/** A snow1g forecast has about 80 steps over ten days. */
const FORECAST_STEPS = 80;
const steps = (args: Record<string, unknown>) =>
  typeof args['hours'] === 'number' ? args['hours'] : FORECAST_STEPS;

/**
 * What SMHI's fields cost (see `kit/cost.ts`). A forecast is one call per distinct point (SMHI has
 * no multi-point forecast); observations and warnings are country-wide lists fetched once per request.
 */
export const cost: FieldCosts = {
  'Place.forecast': { agency: 'smhi', calls: 'item', sharedCall: 'forecast', assumedSize: steps },
  'Municipality.forecast': { agency: 'smhi', calls: 'item', sharedCall: 'forecast', assumedSize: steps },
  'Place.forecastRun': { agency: 'smhi', calls: 'item', sharedCall: 'forecast' },
  'Municipality.forecastRun': { agency: 'smhi', calls: 'item', sharedCall: 'forecast' },
  'ForecastRun.steps': { assumedSize: steps },
  // One country-wide latest-hour list per parameter (about six), shared by every place.
  'Place.currentWeather': { agency: 'smhi', calls: 'batch', callsPer: 6 },
  'Municipality.currentWeather': { agency: 'smhi', calls: 'batch', callsPer: 6 },
  'Place.weatherWarnings': { agency: 'smhi', calls: 'batch' },
  'Municipality.weatherWarnings': { agency: 'smhi', calls: 'batch' },
  'County.weatherWarnings': { agency: 'smhi', calls: 'batch' },
  'Query.weatherWarnings': { agency: 'smhi', calls: 'batch', assumedSize: 10 },
  'Place.weatherStations': { agency: 'smhi', calls: 'batch', assumedSize: 10 },
  'Query.weatherStations': { agency: 'smhi', calls: 'batch', assumedSize: 250 },
  'Query.weatherStation': { agency: 'smhi', calls: 'item' },
  'WeatherStation.observations': { agency: 'smhi', calls: 'item' },
  'ObservationSeries.values': { assumedSize: 100 },
  'CurrentWeather.observations': { assumedSize: 7 },
  // A warning has a few areas, each naming a few counties and describing itself in a few texts.
  'WeatherWarning.areas': { assumedSize: 3 },
  'WeatherWarning.descriptions': { assumedSize: 3 },
  'WarningArea.affectedAreas': { assumedSize: 3 },
  'WarningArea.descriptions': { assumedSize: 3 },
};
