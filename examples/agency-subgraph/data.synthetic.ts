/**
 * SYNTHETIC DATA for the example agency subgraph: made up for the example, NOT taken from
 * Naturvårdsverket or any register. Names say "(exempel)" so that nobody mistakes them for real areas.
 */
export interface ProtectedArea {
  id: string;
  name: string;
  kind: 'NATIONAL_PARK' | 'NATURE_RESERVE';
  areaHectares: number;
  municipalityCode: string;
}

export const PROTECTED_AREAS: readonly ProtectedArea[] = [
  {
    id: 'EX-0180-1',
    name: 'Exempelreservatet Norr (exempel)',
    kind: 'NATURE_RESERVE',
    areaHectares: 120.5,
    municipalityCode: '0180',
  },
  {
    id: 'EX-0180-2',
    name: 'Exempelreservatet Söder (exempel)',
    kind: 'NATURE_RESERVE',
    areaHectares: 48,
    municipalityCode: '0180',
  },
  {
    id: 'EX-2480-1',
    name: 'Exempelparken (exempel)',
    kind: 'NATIONAL_PARK',
    areaHectares: 5400,
    municipalityCode: '2480',
  },
];
