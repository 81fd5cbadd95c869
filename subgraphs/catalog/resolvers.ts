import { upstreamDate, upstreamDateTime } from '../../kit/datetime.ts';
import { badInput } from '../../kit/errors.ts';
import { requireCounty, requireMunicipality } from '../../kit/sweden.ts';
import type {
  AgencyRef,
  CatalogContext,
  DatasetModel,
  DatasetPageModel,
  FacetCountModel,
} from './context.ts';
import type { SearchResultModel } from './decode.ts';
import type { Resolvers } from './generated/resolvers-types.ts';
import { type DatasetFilters, datasetSearch, MAX_PAGE } from './query.ts';
import { type LangText, lastSegment, T } from './rdf.ts';
import { agencyMappings, mappingFor, mappingOfPublishers, type ServedMatch, servedBy } from './served.ts';
import { concept, FILE_TYPES, formatCode, hvdEnumOf, hvdUri, mediaTypeOf, themeUri } from './vocab.ts';

const AGENCY = 'catalog';

/**
 * A DCAT date (xsd:date, xsd:dateTime or gYear, as publishers give them) for a `Date` field: the day,
 * null for a bare year or year-month, UPSTREAM_BAD_RESPONSE for anything that is not a date.
 */
const catalogDate = (value: string | null, what: string) =>
  upstreamDate(value, { agency: AGENCY, name: 'The data catalogue', what, partial: 'null' });
/** Deepest offset we page to: beyond it the registry's ordering drifts with the nightly harvest anyway. */
export const MAX_OFFSET = 10_000;
const MAX_SEARCH_CHARS = 200;
const MAX_WORDS = 10;
export const DATASET_ID = /^([A-Za-z0-9-]{1,40})_([A-Za-z0-9-]{1,40})$/;

/** `limit`/`offset` within their ranges, or BAD_USER_INPUT naming the field, argument and range. */
function pageArgs(field: string, limit: number | null | undefined, offset: number | null | undefined) {
  const l = limit ?? 20;
  const o = offset ?? 0;
  if (!Number.isInteger(l) || l < 0 || l > MAX_PAGE)
    throw badInput(
      `${field}(limit: ${l}) is out of range: use an integer from 0 to ${MAX_PAGE} (the registry's largest page).`,
      AGENCY,
    );
  if (!Number.isInteger(o) || o < 0 || o > MAX_OFFSET)
    throw badInput(`${field}(offset: ${o}) is out of range: use an integer from 0 to ${MAX_OFFSET}.`, AGENCY);
  return { limit: l, offset: o };
}

/** Free text → words (all must match), or BAD_USER_INPUT. */
export function searchWords(field: string, search: string | null | undefined): string[] | undefined {
  if (search === null || search === undefined) return undefined;
  const trimmed = search.trim();
  if (trimmed === '' || [...trimmed].length > MAX_SEARCH_CHARS)
    throw badInput(
      `${field}(search) must be 1–${MAX_SEARCH_CHARS} characters of text, e.g. "befolkning".`,
      AGENCY,
    );
  const words = trimmed.split(/\s+/);
  if (words.length > MAX_WORDS)
    throw badInput(
      `${field}(search) has ${words.length} words: use at most ${MAX_WORDS} (every word must match).`,
      AGENCY,
    );
  return words;
}

/** A publisher given as an AgencyId, an organisation number or a URI → publisher URIs. */
export function publisherUris(value: string): string[] {
  const v = value.trim();
  const agency = mappingFor(v.toUpperCase());
  if (agency) return agency.publishers;
  const org = /^(?:SE)?(\d{6})-?(\d{4})(-\d{1,3})?$/i.exec(v);
  if (org) {
    const orgnr = `${org[1]}${org[2]}`;
    const uris = [`http://dataportal.se/organisation/SE${orgnr}${org[3] ?? ''}`];
    // SCB's own generator uses the older id.kb.se pattern (shared/agencies/dataportal.md §3).
    const known = mappingOfPublishers(uris);
    return known ? known.publishers : uris;
  }
  if (/^https?:\/\/\S{3,300}$/.test(v)) {
    const known = mappingOfPublishers([v]);
    return known ? known.publishers : [v];
  }
  throw badInput(
    `datasets(publisher: "${value.slice(0, 60)}") is not a publisher: use an agency (${agencyMappings()
      .map((m) => m.agencyId)
      .join(
        ', ',
      )}), an organisation number ("2021000837" or "SE2021000837") or a publisher URI ("http://dataportal.se/organisation/SE2021000837").`,
    AGENCY,
  );
}

/** A format as a media type ("text/csv") or an EU file-type code ("CSV") → both forms where known. */
export function formatFilter(value: string): NonNullable<DatasetFilters['format']> {
  const v = value.trim();
  if (/^[a-z]+\/[a-z0-9.+\-_]{1,100}$/i.test(v)) {
    const mediaType = v.toLowerCase();
    const code = Object.entries(FILE_TYPES).find(([, mt]) => mt === mediaType)?.[0] ?? null;
    return { mediaType, fileTypeCode: code };
  }
  if (/^[A-Za-z][A-Za-z0-9_]{1,19}$/.test(v)) {
    const code = v.toUpperCase();
    return { mediaType: FILE_TYPES[code] ?? null, fileTypeCode: code };
  }
  throw badInput(
    `format "${value.slice(0, 60)}" is not a format: use a media type such as "text/csv" or "application/json", or an EU file-type code such as "CSV", "JSON", "GEOJSON".`,
    AGENCY,
  );
}

function filtersFrom(
  field: string,
  args: {
    search?: string | null;
    theme?: string | null;
    format?: string | null;
    highValueCategory?: string | null;
    type?: 'DATASET' | 'DATA_SERVICE' | null;
  },
): DatasetFilters {
  const words = searchWords(field, args.search);
  return {
    ...(words ? { words } : {}),
    ...(args.theme ? { themes: [themeUri(args.theme)] } : {}),
    ...(args.format ? { format: formatFilter(args.format) } : {}),
    ...(args.highValueCategory ? { highValueCategories: [hvdUri(args.highValueCategory)] } : {}),
    ...(args.type ? { type: args.type } : {}),
  };
}

async function page(
  ctx: CatalogContext,
  filters: DatasetFilters,
  limit: number,
  offset: number,
): Promise<DatasetPageModel> {
  const result = await ctx.loaders.search.load(datasetSearch(filters, limit, offset));
  return { result, limit, offset };
}

function facetList(result: SearchResultModel, facet: FacetCountModel['facet']): FacetCountModel[] {
  return result.facets[facet].map((f) => ({ facet, value: f.value, count: f.count }));
}

/** Place names a spatial coverage may use for a municipality (the official name, "X kommun", "Xs kommun"). */
export function municipalityNames(name: string): string[] {
  return [...new Set([name, `${name} kommun`, `${name}${/s$/i.test(name) ? '' : 's'} kommun`])];
}

const describeMatch = (m: ServedMatch): string[] =>
  Object.entries(m).map(([k, v]) =>
    k.endsWith('Prefix')
      ? `${k.replace(/Prefix$/, '')} starts with ${v}`
      : k.endsWith('Pattern')
        ? `${k.replace(/Pattern$/, '')} matches /${v}/`
        : `${k} = ${v}`,
  );

function served(d: DatasetModel) {
  return servedBy(mappingOfPublishers(d.publisherUris), {
    resourceUri: d.resourceUri,
    identifiers: d.identifiers,
    landingPages: d.landingPages,
    endpointUrls: d.endpointUrls,
    title: d.title,
  });
}

/** A publisher's name: this graph's agencies from their mapping files, others looked up (20 per call). */
async function publisherName(ctx: CatalogContext, uri: string): Promise<string | null> {
  const agency = mappingOfPublishers([uri]);
  if (agency) return agency.name;
  const found = await ctx.loaders.resource.load(uri);
  return found?.kind === 'agent' ? (found.name?.text ?? null) : null;
}

/**
 * API endpoints: a data service's own; for a dataset, those of the data services the catalogue says
 * serve it (EntryScape's `servedByDataService`), looked up by URI (20 per registry call).
 */
async function endpointsOf(
  d: DatasetModel,
  ctx: CatalogContext,
): Promise<{ urls: string[]; descriptions: string[] } | null> {
  if (d.kind === 'DATA_SERVICE' || d.servedByDataServices.length === 0)
    return { urls: d.endpointUrls, descriptions: d.endpointDescriptions };
  const found = await ctx.loaders.resource.loadMany(d.servedByDataServices);
  const failed = found.find((f) => f instanceof Error);
  if (failed) throw failed;
  const services = found.flatMap((f) => (f && !(f instanceof Error) && f.kind === 'service' ? [f] : []));
  return {
    urls: [...new Set(services.flatMap((s) => s.endpointUrls))],
    descriptions: [...new Set(services.flatMap((s) => s.endpointDescriptions))],
  };
}

/** A text in the language asked for (null when absent), or the preferred one. */
function inLanguage(text: LangText | null, lang: 'SV' | 'EN' | null | undefined): string | null {
  if (!text) return null;
  if (lang === 'SV') return text.sv;
  if (lang === 'EN') return text.en;
  return text.text;
}

function requireAgency(id: string): AgencyRef {
  if (!mappingFor(id)) throw badInput(`Unknown agency "${id}".`, AGENCY);
  return { id };
}

export function createResolvers(): Resolvers {
  return {
    Query: {
      datasets: async (_, args, ctx) => {
        const { limit, offset } = pageArgs('datasets', args.limit, args.offset);
        const filters = filtersFrom('datasets', args);
        if (args.publisher != null) filters.publishers = publisherUris(args.publisher);
        return page(ctx, filters, limit, offset);
      },
      dataset: async (_, { id }, ctx) => {
        if (!DATASET_ID.test(id))
          throw badInput(
            `Dataset id "${id.slice(0, 60)}" is not a catalogue id: use "{contextId}_{entryId}", e.g. "547_28672" (the id in its dataportal.se address).`,
            AGENCY,
          );
        const detail = await ctx.loaders.dataset.load(id);
        return detail?.dataset.kind ? detail.dataset : null;
      },
      agency: (_, { id }) => requireAgency(id),
      agencies: () => agencyMappings().map((m) => ({ id: m.agencyId })),
      catalogStatistics: (_, __, ctx) => ctx.loaders.statistics.load('latest'),
    },

    Agency: {
      __resolveReference: (ref) => (mappingFor(ref.id) ? { id: ref.id } : null),
      id: (a) => a.id as never,
      name: (a) => mappingFor(a.id)!.name,
      subgraph: (a) => mappingFor(a.id)!.subgraph,
      publisherUris: (a) => mappingFor(a.id)!.publishers,
      cataloguedDatasetsRecorded: (a) => mappingFor(a.id)!.catalogued?.datasets ?? null,
      cataloguedAsOf: (a) => mappingFor(a.id)!.catalogued?.asOf ?? null,
      datasets: async (a, args, ctx) => {
        const { limit, offset } = pageArgs('Agency.datasets', args.limit, args.offset);
        const filters = filtersFrom('Agency.datasets', args);
        filters.publishers = mappingFor(a.id)!.publishers;
        return page(ctx, filters, limit, offset);
      },
      datasetCounts: async (a, _, ctx) => ({
        result: await ctx.loaders.search.load(
          datasetSearch({ publishers: mappingFor(a.id)!.publishers }, 0, 0),
        ),
      }),
      servedByGraph: (a) =>
        mappingFor(a.id)!.served.map((r) => ({
          title: r.title,
          match: describeMatch(r.match),
          fields: r.fields,
          note: r.note ?? null,
        })),
    },

    DatasetPage: {
      totalCount: (p) => p.result.total,
      limit: (p) => p.limit,
      offset: (p) => p.offset,
      nodes: (p) => p.result.items.filter((d) => d.kind !== null),
      facets: (p) => ({ result: p.result }),
    },

    DatasetFacets: {
      publishers: (f) => facetList(f.result, 'publishers'),
      themes: (f) => facetList(f.result, 'themes'),
      formats: (f) => facetList(f.result, 'formats'),
      highValueCategories: (f) => facetList(f.result, 'highValueCategories'),
    },

    DatasetCounts: {
      totalCount: (c) => c.result.total,
      byTheme: (c) => facetList(c.result, 'themes'),
      byHighValueCategory: (c) => facetList(c.result, 'highValueCategories'),
      byFormat: (c) => facetList(c.result, 'formats'),
    },

    FacetCount: {
      value: (f) => f.value,
      count: (f) => f.count,
      code: (f) => {
        switch (f.facet) {
          case 'publishers':
            return mappingOfPublishers([f.value])?.agencyId ?? null;
          case 'themes':
            return lastSegment(f.value);
          case 'formats':
            return formatCode(f.value);
          case 'highValueCategories':
            return hvdEnumOf(f.value);
        }
      },
      label: async (f, _, ctx) => {
        switch (f.facet) {
          case 'publishers':
            return publisherName(ctx, f.value);
          case 'themes':
          case 'highValueCategories': {
            const c = concept(f.value);
            return c.sv ?? c.en;
          }
          case 'formats':
            return mediaTypeOf(f.value);
        }
      },
    },

    Dataset: {
      id: (d) => d.id,
      type: (d) => d.kind,
      uri: (d) => d.resourceUri,
      title: (d, { lang }) => inLanguage(d.title, lang),
      titles: (d) => d.title,
      description: (d, { lang }) => inLanguage(d.description, lang),
      descriptions: (d) => d.description,
      publisher: (d) => (d.publisherUris[0] ? { uri: d.publisherUris[0] } : null),
      agency: (d) => {
        const m = mappingOfPublishers(d.publisherUris);
        return m ? { id: m.agencyId } : null;
      },
      themes: (d) => d.themes.map(concept),
      highValueCategories: (d) => d.highValueCategories.map(concept),
      keywords: (d) => d.keywords,
      license: (d) => d.license,
      accessRights: (d) => (d.accessRights ? lastSegment(d.accessRights) : null),
      updateFrequency: (d) => (d.accrualPeriodicity ? lastSegment(d.accrualPeriodicity) : null),
      temporalCoverage: (d) => d.temporal,
      spatialCoverage: (d) => d.spatial,
      landingPage: (d) => d.landingPages[0] ?? null,
      publisherModified: (d) => d.publisherModified,
      issued: (d) => d.issued,
      modified: (d) => d.registryModified,
      publisherModifiedOn: (d) => catalogDate(d.publisherModified, "the dataset's dcterms:modified"),
      issuedOn: (d) => catalogDate(d.issued, "the dataset's dcterms:issued"),
      // The registry (EntryStore) writes its dates with the Swedish offset; one without is read so too.
      registryModifiedAt: (d) =>
        upstreamDateTime(d.registryModified, {
          agency: AGENCY,
          name: 'The data catalogue',
          what: "the entry's registry dcterms:modified",
          local: 'europe-stockholm',
        }),
      formats: (d) => d.formats.map((f) => mediaTypeOf(f) ?? formatCode(f)),
      hasApi: (d) =>
        d.kind === 'DATA_SERVICE' ||
        d.types.includes(T.ServedByDataService) ||
        d.servedByDataServices.length > 0,
      endpointUrls: async (d, _, ctx) => (await endpointsOf(d, ctx))?.urls ?? null,
      endpointDescriptions: async (d, _, ctx) => (await endpointsOf(d, ctx))?.descriptions ?? null,
      contactPoint: async (d, _, ctx) => {
        if (d.contactPoint !== undefined) return d.contactPoint;
        // A separate entry: looked up by URI, 20 per registry call for a whole page.
        const uri = d.contactUris[0];
        const found = uri ? await ctx.loaders.resource.load(uri) : null;
        return found?.kind === 'contact' ? found.contact : null;
      },
      distributions: async (d, _, ctx) => {
        // Data services have no distributions (DCAT): no call for them.
        if (d.kind === 'DATA_SERVICE' || d.distributionUris.length === 0) return [];
        // Separate entries, looked up by URI (20 per registry call), in the dataset's order; a
        // distribution the registry does not hold (not harvested) is left out.
        const found = await ctx.loaders.resource.loadMany(d.distributionUris);
        const failed = found.find((f) => f instanceof Error);
        if (failed) throw failed;
        return found.flatMap((f) =>
          f && !(f instanceof Error) && f.kind === 'distribution' ? [f.distribution] : [],
        );
      },
      portalUrl: (d) =>
        `https://www.dataportal.se/sv/${d.kind === 'DATA_SERVICE' ? 'dataservice' : 'datasets'}/${d.id}`,
      servedByGraph: (d) => served(d).rules.length > 0,
      graphFields: (d) => served(d).fields,
    },

    CatalogPublisher: {
      uri: (p) => p.uri,
      name: (p, _, ctx) => publisherName(ctx, p.uri),
      agency: (p) => {
        const m = mappingOfPublishers([p.uri]);
        return m ? { id: m.agencyId } : null;
      },
    },

    CatalogDistribution: {
      uri: (x) => x.uri,
      title: (x) => x.title?.text ?? null,
      format: (x) => {
        const f = x.formats[0] ?? x.mediaType;
        return f ? formatCode(f) : null;
      },
      mediaType: (x) => x.mediaType ?? (x.formats[0] ? mediaTypeOf(x.formats[0]) : null),
      accessUrl: (x) => x.accessUrls[0] ?? null,
      downloadUrl: (x) => x.downloadUrls[0] ?? null,
      license: (x) => x.license,
    },

    CatalogPeriod: {
      startsOn: (p) => catalogDate(p.start, "a period's start"),
      endsOn: (p) => catalogDate(p.end, "a period's end"),
    },

    CatalogStatistics: {
      date: (s) => s.date,
      countedOn: (s) => catalogDate(s.date, "the statistics' dcterms:date"),
      datasetCount: (s) => s.datasetCount,
      publicDatasetCount: (s) => s.publicDatasetCount,
      publicSectorDatasetCount: (s) => s.publicSectorDatasetCount,
    },

    Municipality: {
      __resolveReference: (ref) => ({ code: ref.code }),
      datasets: async (m, args, ctx) => {
        const record = requireMunicipality(m.code, AGENCY);
        const { limit, offset } = pageArgs('Municipality.datasets', args.limit, args.offset);
        const words = searchWords('Municipality.datasets', args.search);
        return page(
          ctx,
          { ...(words ? { words } : {}), spatialNames: municipalityNames(record.name) },
          limit,
          offset,
        );
      },
    },

    County: {
      __resolveReference: (ref) => ({ code: ref.code }),
      datasets: async (c, args, ctx) => {
        const record = requireCounty(c.code, AGENCY);
        const { limit, offset } = pageArgs('County.datasets', args.limit, args.offset);
        const words = searchWords('County.datasets', args.search);
        return page(ctx, { ...(words ? { words } : {}), spatialNames: [record.name] }, limit, offset);
      },
    },
  };
}

/** Every AgencyId of the schema must have a mapping file, and every mapping file an AgencyId. */
export function checkAgencyIds(schemaValues: readonly string[]): void {
  const files = agencyMappings().map((m) => m.agencyId);
  const missing = schemaValues.filter((v) => !files.includes(v));
  const extra = files.filter((f) => !schemaValues.includes(f));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `catalog: AgencyId values and subgraphs/*/catalog-datasets.json disagree: ${[
        ...missing.map((v) => `${v} has no subgraphs/${v.toLowerCase()}/catalog-datasets.json`),
        ...extra.map(
          (v) =>
            `${v} (a catalog-datasets.json) is not a value of AgencyId in subgraphs/catalog/schema.graphql`,
        ),
      ].join('; ')}`,
    );
  }
}
