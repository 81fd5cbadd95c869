/**
 * Controlled vocabularies of DCAT-AP-SE that the catalogue uses as URIs, with their Swedish and
 * English labels. Labels from the DCAT-AP-SE templates (diggsweden/DCAT-AP-SE, CC BY 4.0):
 * `templates/commons/dcat:theme` and `templates/commons/dcatap:hvdCategory`.
 */
import { lastSegment } from './rdf.ts';

export const THEME_BASE = 'http://publications.europa.eu/resource/authority/data-theme/';
export const HVD_BASE = 'http://data.europa.eu/bna/';
export const FILE_TYPE_BASE = 'http://publications.europa.eu/resource/authority/file-type/';

/** EU data themes (the 13 codes of DCAT-AP-SE's `dcat:theme` choice). */
export const THEMES: Readonly<Record<string, { sv: string; en: string }>> = {
  AGRI: { sv: 'Jordbruk, fiske, skogsbruk och livsmedel', en: 'Agriculture, fisheries, forestry and food' },
  ECON: { sv: 'Ekonomi och finans', en: 'Economy and finance' },
  EDUC: { sv: 'Utbildning, kultur och sport', en: 'Education, culture and sport' },
  ENER: { sv: 'Energi', en: 'Energy' },
  ENVI: { sv: 'Miljö', en: 'Environment' },
  GOVE: { sv: 'Regeringen och den offentliga sektorn', en: 'Government and public sector' },
  HEAL: { sv: 'Hälsa', en: 'Health' },
  INTR: { sv: 'Internationella frågor', en: 'International issues' },
  JUST: {
    sv: 'Rättvisa, rättsliga system och allmän säkerhet',
    en: 'Justice, legal system and public safety',
  },
  SOCI: { sv: 'Befolkning och samhälle', en: 'Population and society' },
  REGI: { sv: 'Regioner och städer', en: 'Regions and cities' },
  TECH: { sv: 'Vetenskap och teknik', en: 'Science and technology' },
  TRAN: { sv: 'Transport', en: 'Transport' },
};

/** The schema's `HighValueCategory` enum ↔ the EU HVD category URIs (Implementing Regulation 2023/138). */
export const HVD: Readonly<Record<string, { code: string; sv: string; en: string }>> = {
  GEOSPATIAL: { code: 'c_ac64a52d', sv: 'Geospatiala data', en: 'Geospatial' },
  EARTH_OBSERVATION_AND_ENVIRONMENT: {
    code: 'c_dd313021',
    sv: 'Jordobservation och miljö',
    en: 'Earth observation and environment',
  },
  METEOROLOGICAL: { code: 'c_164e0bf5', sv: 'Meteorologiska data', en: 'Meteorological' },
  STATISTICS: { code: 'c_e1da4e07', sv: 'Statistik', en: 'Statistics' },
  COMPANIES_AND_COMPANY_OWNERSHIP: {
    code: 'c_a9135398',
    sv: 'Företag och företagsägande',
    en: 'Companies and company ownership',
  },
  MOBILITY: { code: 'c_b79e35eb', sv: 'Rörlighet', en: 'Mobility' },
};

export const hvdUri = (category: string): string => `${HVD_BASE}${HVD[category]!.code}`;
export const themeUri = (code: string): string => `${THEME_BASE}${code}`;

/** A concept URI with its code and labels where we know them. */
export interface Concept {
  uri: string;
  code: string;
  sv: string | null;
  en: string | null;
}

/** Labels of a theme, HVD category or other concept URI (unknown vocabularies: code only). */
export function concept(uri: string): Concept {
  const code = lastSegment(uri);
  if (uri.startsWith(THEME_BASE) && THEMES[code]) return { uri, code, ...THEMES[code]! };
  if (uri.startsWith(HVD_BASE)) {
    const hit = Object.values(HVD).find((h) => h.code === code);
    if (hit) return { uri, code, sv: hit.sv, en: hit.en };
  }
  return { uri, code, sv: null, en: null };
}

/** The `HighValueCategory` enum value of an HVD URI, if it is one of the six. */
export function hvdEnumOf(uri: string): string | null {
  const code = lastSegment(uri);
  return Object.entries(HVD).find(([, h]) => h.code === code)?.[0] ?? null;
}

/**
 * Common EU file-type codes ↔ IANA media types: a `format` filter given either way searches both
 * forms (publishers use both, trap 18 of the reference).
 */
export const FILE_TYPES: Readonly<Record<string, string>> = {
  CSV: 'text/csv',
  JSON: 'application/json',
  GEOJSON: 'application/geo+json',
  XML: 'application/xml',
  PDF: 'application/pdf',
  HTML: 'text/html',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  XLS: 'application/vnd.ms-excel',
  ZIP: 'application/zip',
  RDF_XML: 'application/rdf+xml',
  TXT: 'text/plain',
  GPKG: 'application/geopackage+sqlite3',
  SHP: 'application/x-shapefile',
  WMS_SRVC: 'application/vnd.ogc.wms_xml',
  TIFF: 'image/tiff',
  PX: 'application/x-px',
};

/** A short format code for a media type or file-type URI: `text/csv` → `CSV`, `…/file-type/PDF` → `PDF`. */
export function formatCode(value: string): string {
  if (value.startsWith(FILE_TYPE_BASE)) return lastSegment(value);
  const known = Object.entries(FILE_TYPES).find(([, mt]) => mt === value.toLowerCase());
  if (known) return known[0];
  const sub = value.split('/')[1] ?? value;
  return sub
    .replace(/^(vnd\.|x-)/, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/** The media type of a format value, where it is one (a literal `type/subtype` or a known file type). */
export function mediaTypeOf(value: string): string | null {
  if (value.startsWith(FILE_TYPE_BASE)) return FILE_TYPES[lastSegment(value)] ?? null;
  return /^[a-z]+\/[a-z0-9.+\-_]+$/i.test(value) ? value.toLowerCase() : null;
}
