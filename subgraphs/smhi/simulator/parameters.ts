/**
 * The metobs 1.0 parameters 1–40 as the simulator lists them. Titles and summaries of parameters 1
 * and 2, the listing unit "celsius", the data unit "degree celsius" and `valueType: "SAMPLING"` for
 * parameter 1 are recorded (smhi.md §1.3); the other titles, summaries and units follow SMHI's
 * naming but are not recorded, and `valueType` other than SAMPLING is UNCONFIRMED.
 */

/** How often a parameter is observed; decides its periods and the shape of its values. */
export type Cadence =
  /** Once an hour (or more often): latest-hour, latest-day, latest-months; `date` items. */
  | 'hourly'
  /** Four values an hour (15-min sums and intensities). */
  | 'quarter'
  /** Once or twice a day at fixed hours: latest-day, latest-months; `date` items. */
  | 'daily-at'
  /** A daily aggregate: latest-day, latest-months; `ref`/`from`/`to` items. */
  | 'daily'
  /** A monthly aggregate: latest-months only; `ref`/`from`/`to` items. */
  | 'monthly';

export interface ParameterDef {
  id: number;
  title: string;
  summary: string;
  /** Unit at the listing level. */
  unit: string;
  /** Unit at the data level (SMHI spells "celsius" as "degree celsius" there). */
  dataUnit: string;
  valueType: 'SAMPLING' | 'INTERVAL';
  cadence: Cadence;
  /** Hours (UTC) of observation for `daily-at` parameters. */
  hours?: readonly number[];
  /** Decimals of the value string. */
  decimals: number;
}

const p = (
  id: number,
  title: string,
  summary: string,
  unit: string,
  cadence: Cadence,
  decimals: number,
  extra: Partial<ParameterDef> = {},
): ParameterDef => ({
  id,
  title,
  summary,
  unit,
  dataUnit: unit === 'celsius' ? 'degree celsius' : unit,
  valueType: /momentanvärde/.test(summary) ? 'SAMPLING' : 'INTERVAL',
  cadence,
  decimals,
  ...extra,
});

const layerNames = ['lägsta', 'andra', 'tredje', 'fjärde'];

export const PARAMETERS: readonly ParameterDef[] = [
  p(1, 'Lufttemperatur', 'momentanvärde, 1 gång/tim', 'celsius', 'hourly', 1),
  p(2, 'Lufttemperatur', 'medelvärde 1 dygn, 1 gång/dygn, kl 00', 'celsius', 'daily', 1),
  p(3, 'Vindriktning', 'medelvärde 10 min, 1 gång/tim', 'degree', 'hourly', 0),
  p(4, 'Vindhastighet', 'medelvärde 10 min, 1 gång/tim', 'metre per second', 'hourly', 1),
  p(5, 'Nederbördsmängd', 'summa 1 dygn, 1 gång/dygn, kl 06', 'millimetre', 'daily', 1),
  p(6, 'Relativ Luftfuktighet', 'momentanvärde, 1 gång/tim', 'percent', 'hourly', 0),
  p(7, 'Nederbördsmängd', 'summa 1 timme, 1 gång/tim', 'millimetre', 'hourly', 1),
  p(8, 'Snödjup', 'momentanvärde, 1 gång/dygn, kl 06', 'metre', 'daily-at', 2, { hours: [6] }),
  p(
    9,
    'Lufttryck reducerat havsytans nivå',
    'vid havsytans nivå, momentanvärde, 1 gång/tim',
    'hectopascal',
    'hourly',
    1,
  ),
  p(10, 'Solskenstid', 'summa 1 timme, 1 gång/tim', 'second', 'hourly', 0),
  p(
    11,
    'Global Irradians (svenska stationer)',
    'medelvärde 1 timme, 1 gång/tim',
    'watt per square metre',
    'hourly',
    1,
  ),
  p(12, 'Sikt', 'momentanvärde, 1 gång/tim', 'metre', 'hourly', 0),
  p(13, 'Rådande väder', 'momentanvärde, 1 gång/tim resp 8 gånger/dygn', 'code', 'hourly', 0),
  p(14, 'Nederbördsmängd', 'summa 15 min, 4 gånger/tim', 'millimetre', 'quarter', 1),
  p(15, 'Nederbördsintensitet', 'max under 15 min, 4 gånger/tim', 'millimetre per second', 'quarter', 4),
  p(16, 'Total molnmängd', 'momentanvärde, 1 gång/tim', 'percent', 'hourly', 0),
  p(17, 'Nederbörd', '2 gånger/dygn, kl 06 och 18', 'code', 'daily-at', 0, { hours: [6, 18] }),
  p(18, 'Nederbörd', '1 gång/dygn, kl 18', 'code', 'daily-at', 0, { hours: [18] }),
  p(19, 'Lufttemperatur', 'min, 1 gång per dygn', 'celsius', 'daily', 1),
  p(20, 'Lufttemperatur', 'max, 1 gång per dygn', 'celsius', 'daily', 1),
  p(21, 'Byvind', 'max, 1 gång/tim', 'metre per second', 'hourly', 1),
  p(22, 'Lufttemperatur', 'medel, 1 gång per månad', 'celsius', 'monthly', 1),
  p(23, 'Nederbördsmängd', 'summa, 1 gång per månad', 'millimetre', 'monthly', 1),
  p(
    24,
    'Långvågs-Irradians',
    'Långvågsstrålning, medel 1 timme, varje timme',
    'watt per square metre',
    'hourly',
    1,
  ),
  p(
    25,
    'Max av MedelVindhastighet',
    'maximum av medelvärde 10 min, under 3 timmar, 1 gång/tim',
    'metre per second',
    'hourly',
    1,
  ),
  p(26, 'Lufttemperatur', 'min, 2 gånger per dygn, kl 06 och 18', 'celsius', 'daily-at', 1, {
    hours: [6, 18],
  }),
  p(27, 'Lufttemperatur', 'max, 2 gånger per dygn, kl 06 och 18', 'celsius', 'daily-at', 1, {
    hours: [6, 18],
  }),
  ...[0, 1, 2, 3].flatMap((layer) => [
    p(
      28 + layer * 2,
      'Molnbas',
      `${layerNames[layer]} molnlager, momentanvärde, 1 gång/tim`,
      'metre',
      'hourly',
      0,
    ),
    p(
      29 + layer * 2,
      'Molnmängd',
      `${layerNames[layer]} molnlager, momentanvärde, 1 gång/tim`,
      'code',
      'hourly',
      0,
    ),
  ]),
  p(36, 'Molnbas', 'lägsta molnbas, momentanvärde, 1 gång/tim', 'metre', 'hourly', 0),
  p(37, 'Molnbas', 'lägsta molnbas, min under 15 min, 1 gång/tim', 'metre', 'hourly', 0),
  p(
    38,
    'Nederbördsintensitet',
    'max av medel under 15 min, 4 gånger/tim',
    'millimetre per second',
    'quarter',
    4,
  ),
  p(39, 'Daggpunktstemperatur', 'momentanvärde, 1 gång/tim', 'celsius', 'hourly', 1),
  p(40, 'Markens tillstånd', 'momentanvärde, 1 gång/dygn, kl 06', 'code', 'daily-at', 0, { hours: [6] }),
];

export const parameterDef = (id: number): ParameterDef | undefined => PARAMETERS[id - 1];

/** The periods a parameter offers (for an active station). */
export function periodsOf(def: ParameterDef): Array<'latest-hour' | 'latest-day' | 'latest-months'> {
  switch (def.cadence) {
    case 'hourly':
    case 'quarter':
      return ['latest-hour', 'latest-day', 'latest-months'];
    case 'daily':
    case 'daily-at':
      return ['latest-day', 'latest-months'];
    case 'monthly':
      return ['latest-months'];
  }
}
