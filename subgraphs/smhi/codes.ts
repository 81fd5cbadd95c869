/**
 * Static SMHI code tables: the 27 weather symbol codes of the point forecast, and the metobs
 * parameters this subgraph accepts. Used to validate input before any upstream call.
 */

export interface WeatherSymbolInfo {
  code: number;
  sv: string;
  en: string;
}

/**
 * SMHI's weather symbol codes 1–27 (snow1g `symbol_code`, same codes as pmp3g `Wsymb2`), with
 * SMHI's Swedish and English names.
 */
const SYMBOLS: ReadonlyArray<[string, string]> = [
  ['Klart', 'Clear sky'],
  ['Lätt molnighet', 'Nearly clear sky'],
  ['Halvklart', 'Variable cloudiness'],
  ['Molnigt', 'Halfclear sky'],
  ['Mycket moln', 'Cloudy sky'],
  ['Mulet', 'Overcast'],
  ['Dimma', 'Fog'],
  ['Lätt regnskur', 'Light rain showers'],
  ['Regnskur', 'Moderate rain showers'],
  ['Kraftig regnskur', 'Heavy rain showers'],
  ['Åskskur', 'Thunderstorm'],
  ['Lätt by av regn och snö', 'Light sleet showers'],
  ['By av regn och snö', 'Moderate sleet showers'],
  ['Kraftig by av regn och snö', 'Heavy sleet showers'],
  ['Lätt snöby', 'Light snow showers'],
  ['Snöby', 'Moderate snow showers'],
  ['Kraftig snöby', 'Heavy snow showers'],
  ['Lätt regn', 'Light rain'],
  ['Regn', 'Moderate rain'],
  ['Kraftigt regn', 'Heavy rain'],
  ['Åska', 'Thunder'],
  ['Lätt snöblandat regn', 'Light sleet'],
  ['Snöblandat regn', 'Moderate sleet'],
  ['Kraftigt snöblandat regn', 'Heavy sleet'],
  ['Lätt snöfall', 'Light snowfall'],
  ['Snöfall', 'Moderate snowfall'],
  ['Ymnigt snöfall', 'Heavy snowfall'],
];

export const WEATHER_SYMBOLS: readonly WeatherSymbolInfo[] = SYMBOLS.map(([sv, en], i) => ({
  code: i + 1,
  sv,
  en,
}));

/** The symbol with this code, or null for codes outside 1–27 (SMHI may add codes). */
export function weatherSymbol(code: number | null): WeatherSymbolInfo | null {
  if (code === null || !Number.isInteger(code)) return null;
  return WEATHER_SYMBOLS[code - 1] ?? null;
}

export interface MetobsParameterInfo {
  id: number;
  /** English name. */
  name: string;
  /** Unit as we state it (SMHI's listing and data levels spell units differently). */
  unit: string;
}

/** Where our reference gives no unit: the data response's `parameter.unit` is authoritative. */
const UNIT_SEE_SMHI = 'see SMHI parameter metadata';

/** Metobs 1.0 parameter ids 1–40 (SMHI's `GET /api/version/1.0.json` is authoritative). */
export const METOBS_PARAMETERS: readonly MetobsParameterInfo[] = [
  { id: 1, name: 'Air temperature, instantaneous, once an hour', unit: '°C' },
  { id: 2, name: 'Air temperature, daily mean (day boundary 00 UTC)', unit: '°C' },
  { id: 3, name: 'Wind direction, 10-minute mean, once an hour', unit: 'degrees' },
  { id: 4, name: 'Wind speed, 10-minute mean, once an hour', unit: 'm/s' },
  { id: 5, name: 'Precipitation, daily sum at 06', unit: 'mm' },
  { id: 6, name: 'Relative humidity, instantaneous, once an hour', unit: '%' },
  { id: 7, name: 'Precipitation, 1-hour sum, once an hour', unit: 'mm' },
  { id: 8, name: 'Snow depth, instantaneous, daily at 06', unit: 'm' },
  { id: 9, name: 'Air pressure reduced to sea level, once an hour', unit: 'hPa' },
  { id: 10, name: 'Sunshine duration, 1-hour sum', unit: 's' },
  { id: 11, name: 'Global irradiance, 1-hour mean', unit: 'W/m²' },
  { id: 12, name: 'Visibility, once an hour', unit: 'm' },
  { id: 13, name: 'Present weather (code)', unit: 'code' },
  { id: 14, name: 'Precipitation, 15-minute sum', unit: 'mm' },
  { id: 15, name: 'Precipitation intensity, maximum in 15 minutes', unit: UNIT_SEE_SMHI },
  { id: 16, name: 'Total cloud cover, once an hour', unit: '%' },
  { id: 17, name: 'Precipitation type (code)', unit: 'code' },
  { id: 18, name: 'Precipitation type (code)', unit: 'code' },
  { id: 19, name: 'Air temperature, daily minimum', unit: '°C' },
  { id: 20, name: 'Air temperature, daily maximum', unit: '°C' },
  { id: 21, name: 'Wind gust, maximum, once an hour', unit: 'm/s' },
  { id: 22, name: 'Air temperature, monthly mean', unit: '°C' },
  { id: 23, name: 'Precipitation, monthly sum', unit: 'mm' },
  { id: 24, name: 'Long-wave irradiance', unit: UNIT_SEE_SMHI },
  { id: 25, name: 'Maximum of 10-minute mean wind speed over 3 hours', unit: 'm/s' },
  { id: 26, name: 'Air temperature, minimum, at 06 and 18', unit: '°C' },
  { id: 27, name: 'Air temperature, maximum, at 06 and 18', unit: '°C' },
  ...[1, 2, 3, 4].flatMap((layer) => [
    { id: 26 + layer * 2, name: `Cloud base, layer ${layer}`, unit: UNIT_SEE_SMHI },
    { id: 27 + layer * 2, name: `Cloud amount, layer ${layer}`, unit: UNIT_SEE_SMHI },
  ]),
  { id: 36, name: 'Lowest cloud base', unit: UNIT_SEE_SMHI },
  { id: 37, name: 'Lowest cloud base', unit: UNIT_SEE_SMHI },
  { id: 38, name: 'Precipitation intensity, maximum of 15-minute mean', unit: UNIT_SEE_SMHI },
  { id: 39, name: 'Dew-point temperature', unit: '°C' },
  { id: 40, name: 'Ground state (code)', unit: 'code' },
];

export function metobsParameter(id: number): MetobsParameterInfo | undefined {
  return METOBS_PARAMETERS.find((p) => p.id === id);
}

/** The main parameters of `currentWeather`: our field name → metobs parameter id. */
export const CURRENT_WEATHER_PARAMETERS = {
  airTemperature: 1,
  windSpeed: 4,
  windDirection: 3,
  windGust: 21,
  relativeHumidity: 6,
  precipitation: 7,
  pressure: 9,
} as const;

export type CurrentWeatherField = keyof typeof CURRENT_WEATHER_PARAMETERS;
