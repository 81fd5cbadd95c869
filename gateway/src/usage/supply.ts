/**
 * Supply next to demand: for each agency, what it publishes in the national data catalogue
 * (Sveriges dataportal), which of that the graph serves (the agency's own
 * `subgraphs/<name>/catalog-datasets.json`) and how often the graph's fields serving it were asked for.
 * Only static mapping data and field counts: no personal data, no argument values.
 */
import { type AgencyCatalogMapping, agencyMappings } from '../../../subgraphs/catalog/served.ts';

export interface ServedSupply {
  /** What the rule covers, e.g. "Folkmängden … (TAB638)". */
  title: string;
  /** Each serving field (`Type.field`) and how often operations selected it since `since`. */
  fields: Array<{ coordinate: string; requested: number }>;
  /** Operations that selected any of those fields, summed over the fields. */
  requested: number;
}

export interface AgencySupply {
  /** The subgraph that serves the agency's data. */
  subgraph: string;
  name: string;
  /** Publisher URIs of the agency in the catalogue. */
  publisherUris: string[];
  /** A recorded count of its catalogued datasets (live: `agency(id) { datasets { totalCount } }`). */
  catalogued: { datasets: number; asOf: string; source: string } | null;
  /** The catalogued datasets the graph serves (one entry per rule of its mapping). */
  servedByGraph: ServedSupply[];
  /** How often the graph's fields serving its catalogued datasets were asked for (each field once). */
  servedFieldRequests: number;
}

export interface SupplyReport {
  note: string;
  /** By AgencyId. */
  agencies: Record<string, AgencySupply>;
  /** How often the catalog subgraph's fields were asked for (catalog searches, all agencies together). */
  catalogRequests: number;
  /** Set when the agencies' mapping files could not be read (the report still answers). */
  error?: string;
}

/**
 * Builds the supply section from the field counts of the demand side: `requested(coordinate)` sums a
 * schema coordinate over every subgraph that owns it.
 */
export function supplyReport(
  requested: (coordinate: string) => number,
  catalogRequests: number,
  mappings: () => readonly AgencyCatalogMapping[] = agencyMappings,
): SupplyReport {
  const note =
    'Supply next to demand: each agency’s datasets in Sveriges dataportal (Källa: Sveriges dataportal, DIGG), which of them this graph serves (subgraphs/<name>/catalog-datasets.json) and how often the fields serving them were asked for since `since`. `catalogued` is a recorded figure; ask `agency(id) { datasets { totalCount } }` for the live one.';
  let list: readonly AgencyCatalogMapping[];
  try {
    list = mappings();
  } catch (err) {
    return { note, agencies: {}, catalogRequests, error: (err as Error).message };
  }
  const agencies: Record<string, AgencySupply> = {};
  for (const m of list) {
    const servedByGraph = m.served.map((rule) => {
      const fields = rule.fields.map((coordinate) => ({ coordinate, requested: requested(coordinate) }));
      return { title: rule.title, fields, requested: fields.reduce((n, f) => n + f.requested, 0) };
    });
    const distinct = new Set(m.served.flatMap((r) => r.fields));
    agencies[m.agencyId] = {
      subgraph: m.subgraph,
      name: m.name,
      publisherUris: m.publishers,
      catalogued: m.catalogued,
      servedByGraph,
      servedFieldRequests: [...distinct].reduce((n, c) => n + requested(c), 0),
    };
  }
  return { note, agencies, catalogRequests };
}
