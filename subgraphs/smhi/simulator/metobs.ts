/**
 * Simulated metobs 1.0 (`SMHI_METOBS_URL`, e.g. `https://opendata-download-metobs.smhi.se/api/version/1.0`):
 * the JSON resource tree of smhi.md §1.1 over the simulated station network (./stations.ts).
 *
 * Served (JSON only; `.xml`, `.atom` and `.csv` answer 404):
 * - `/parameter/{p}.json` — the stations measuring p (recorded shape, `metobs_stations_…`);
 * - `/parameter/{p}/station/{s}.json` — a station's periods (recorded shape, `metobs_periods_…`);
 * - `/parameter/{p}/station/{s}/period/{period}.json` — the period level (recorded shape, `metobs_data_…`);
 * - `/parameter/{p}/station/{s}/period/{latest-hour|latest-day|latest-months}/data.json` — values;
 * - `/parameter/{p}/station-set/all.json`, `…/station-set/all/period/latest-hour.json` and
 *   `…/station-set/all/period/latest-hour/data.json` — every active station's latest hour;
 * - on the origin: `/api.json` (versions) and `/api/version/{1.0|latest}.json` (parameters), and
 *   `/api/version/latest/…` as an alias of 1.0.
 * 404 for an unknown parameter, a station that does not measure it, a period the station does not
 * offer (closed stations offer only `corrected-archive`, whose data is CSV only) and the station set
 * of a parameter without hourly values. Values are strings, times epoch ms, as SMHI sends them; in
 * the all-stations set about 3 % of stations carry `"value": [null]` in a given hour (smhi.md §1.3).
 */
import type { SimRequest, SimResponse } from '../../../kit/simulator.ts';
import { unit as hashUnit } from './noise.ts';
import { latestObservationHour, observations, PUBLISH_DELAY_MS, StationWeather } from './observations.ts';
import { PARAMETERS, type ParameterDef, parameterDef, periodsOf } from './parameters.ts';
import { buildStations, type StationDef } from './stations.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

type PeriodKey = 'latest-hour' | 'latest-day' | 'latest-months' | 'corrected-archive';
type DataPeriod = Exclude<PeriodKey, 'corrected-archive'>;

const PERIOD_TITLES: Record<PeriodKey, string> = {
  'latest-hour': 'Data från senaste timmen',
  'latest-day': 'Data från senaste dygnet',
  'latest-months': 'Data från senaste fyra månaderna',
  'corrected-archive': 'Kvalitetskontrollerade historiska data (utom de senaste 3 mån)',
};

const STATION_SUMMARY_TAIL =
  '. För data från de tre senaste hela kalendermånaderna pågår rättningsprocessen. Dessa ingår därför inte i Kvalitetskontrollerade historiska data. (Ogranskade data för dessa månader erhålls via länken till Data från senaste fyra månaderna)';
const DOWNLOAD_SUMMARY =
  'Här laddar du ner din datamängd i CSV-format. Inställningar i din Webb-läsare styr hur data presenteras. Om du väljer att arbeta i Excel kan dessa filer vara för stora och kortas av.';
const SET_SUMMARY = 'Data från alla aktiva mätstationer för senaste timmen i en fil.';

const FORMATS = {
  json: 'application/json',
  xml: 'application/xml',
  atom: 'application/atom+xml',
} as const;
type Format = keyof typeof FORMATS;

/** The recorded metobs headers (March 2024, smhi.md §1.6). */
const headers = (now: number) => ({
  'content-type': 'application/json;charset=UTF-8',
  'cache-control': 'max-age=60',
  'last-modified': new Date(now).toUTCString(),
  vary: 'Accept-Encoding',
  'access-control-allow-origin': '*',
});

/** No error body has been recorded (smhi.md §9): a short text; clients use the status. */
export function metobsNotFound(): SimResponse {
  return {
    status: 404,
    headers: { 'content-type': 'text/plain;charset=UTF-8', 'access-control-allow-origin': '*' },
    body: 'Not Found',
  };
}

const ok = (now: number, body: unknown): SimResponse => ({ status: 200, headers: headers(now), body });

/** Start of the "latest-months" window: the first day of the month three months back. */
function monthsFrom(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 3, 1);
}

export interface Metobs {
  /** Requests below `SMHI_METOBS_URL`. */
  handle(req: SimRequest): SimResponse;
  /** Requests to the same origin outside it: `/api.json`, `/api/version/….json`, `/api/version/latest/…`. */
  handleOrigin(req: SimRequest): SimResponse;
  stations(): readonly StationDef[];
}

export function createMetobs(baseUrl: string): Metobs {
  const base = baseUrl.replace(/\/+$/, '');
  const apiRoot = base.replace(/\/version\/[^/]+$/, '');
  let network: StationDef[] | undefined;
  let byId: Map<number, StationDef> | undefined;
  const stations = () => {
    network ??= buildStations();
    return network;
  };
  const station = (id: number) => {
    byId ??= new Map(stations().map((s) => [s.id, s]));
    return byId.get(id);
  };

  const links = (path: string, rel: string, formats: Format[] = ['json', 'xml', 'atom']) =>
    formats.map((f) => ({ href: `${base}${path}.${f}`, rel, type: FORMATS[f] }));

  /** Active stations report up to the latest published hour. */
  const toOf = (s: StationDef, now: number) => s.to ?? latestObservationHour(now);
  const updatedOf = (s: StationDef, now: number) => s.updated ?? latestObservationHour(now);
  const summaryOf = (s: StationDef) =>
    `Latitud: ${s.latitude.toFixed(4)} Longitud: ${s.longitude.toFixed(4)} Höjd: ${s.height.toFixed(1)}`;
  const periodsFor = (s: StationDef, def: ParameterDef): PeriodKey[] =>
    s.active ? [...periodsOf(def), 'corrected-archive'] : ['corrected-archive'];
  const position = (s: StationDef, now: number) => [
    { from: s.from, to: toOf(s, now), height: s.height, latitude: s.latitude, longitude: s.longitude },
  ];

  function parameterListing(def: ParameterDef, now: number) {
    const p = `/parameter/${def.id}`;
    const updated = latestObservationHour(now);
    const hasSet = periodsOf(def).includes('latest-hour');
    return {
      key: String(def.id),
      updated,
      title: `${def.title}: Välj station (sedan tidsutsnitt)`,
      summary: def.summary,
      unit: def.unit,
      valueType: def.valueType,
      link: [
        ...links(p, 'parameter'),
        ...links(`${p}/metadata`, 'metadata', ['json', 'xml']),
        { href: `${base}.atom`, rel: 'version', type: FORMATS.atom },
      ],
      stationSet: hasSet
        ? [
            {
              key: 'all',
              updated,
              title: `${def.title} - Alla Stationer`,
              summary: SET_SUMMARY,
              link: links(`${p}/station-set/all`, 'stationSet'),
            },
          ]
        : [],
      station: stations()
        .filter((s) => s.parameters.has(def.id))
        .sort((a, b) => a.name.localeCompare(b.name, 'sv') || a.id - b.id)
        .map((s) => ({
          key: String(s.id),
          updated: updatedOf(s, now),
          title: `${def.title} - ${s.name}`,
          summary: summaryOf(s),
          link: links(`${p}/station/${s.id}`, 'station'),
          name: s.name,
          owner: s.owner,
          ownerCategory: s.ownerCategory,
          measuringStations: s.measuringStations,
          id: s.id,
          height: s.height,
          latitude: s.latitude,
          longitude: s.longitude,
          active: s.active,
          from: s.from,
          to: toOf(s, now),
        })),
    };
  }

  /** `from`/`to` of a period for a station. */
  function periodWindow(s: StationDef, period: PeriodKey, now: number): { from: number; to: number } {
    const latest = latestObservationHour(now);
    switch (period) {
      case 'latest-hour':
        return { from: latest - HOUR_MS + 1, to: latest };
      case 'latest-day':
        return { from: latest - DAY_MS + 1, to: latest };
      case 'latest-months':
        return { from: monthsFrom(latest), to: latest };
      case 'corrected-archive': {
        // Everything but the current month and the three before it, which are still being corrected.
        const end = s.active ? monthsFrom(latest) - 1 : (s.to ?? latest);
        return { from: s.from, to: Math.max(s.from, end) };
      }
    }
  }

  const periodUpdated = (s: StationDef, period: PeriodKey, now: number) =>
    period === 'corrected-archive' ? periodWindow(s, period, now).to : updatedOf(s, now);

  function stationDocument(s: StationDef, def: ParameterDef, now: number) {
    const p = `/parameter/${def.id}`;
    return {
      key: String(s.id),
      updated: updatedOf(s, now),
      title: `${def.title} - ${s.name}: Välj tidsutsnitt`,
      owner: s.owner,
      ownerCategory: s.ownerCategory,
      measuringStations: s.measuringStations,
      active: s.active,
      summary: `${summaryOf(s)}${STATION_SUMMARY_TAIL}`,
      from: s.from,
      to: toOf(s, now),
      position: position(s, now),
      link: [
        ...links(`${p}/station/${s.id}`, 'station'),
        { href: `${base}${p}.atom`, rel: 'parameter', type: FORMATS.atom },
      ],
      period: periodsFor(s, def).map((period) => ({
        key: period,
        updated: periodUpdated(s, period, now),
        title: PERIOD_TITLES[period],
        summary: '',
        link: links(`${p}/station/${s.id}/period/${period}`, 'period'),
      })),
    };
  }

  function periodDocument(s: StationDef, def: ParameterDef, period: PeriodKey, now: number) {
    const path = `/parameter/${def.id}/station/${s.id}/period/${period}`;
    const window = periodWindow(s, period, now);
    const updated = periodUpdated(s, period, now);
    const csv = { href: `${base}${path}/data.csv`, rel: 'data', type: 'text/plain' };
    return {
      key: period,
      updated,
      title: `${def.title} - ${s.name} - ${PERIOD_TITLES[period]}: Ladda ner data`,
      summary: DOWNLOAD_SUMMARY,
      from: window.from,
      to: window.to,
      link: [
        ...links(path, 'period'),
        { href: `${base}/parameter/${def.id}/station/${s.id}.atom`, rel: 'station', type: FORMATS.atom },
      ],
      data: [
        {
          key: null,
          updated,
          title: 'Datafil',
          summary: '',
          link:
            period === 'corrected-archive' ? [csv] : [...links(`${path}/data`, 'data', ['json', 'xml']), csv],
        },
      ],
    };
  }

  function stationData(s: StationDef, def: ParameterDef, period: DataPeriod, now: number) {
    const window = periodWindow(s, period, now);
    const values = observations(new StationWeather(s), def, window.from - 1, window.to, now);
    return {
      value: values.length > 0 ? values : null,
      updated: updatedOf(s, now) + PUBLISH_DELAY_MS,
      parameter: { key: String(def.id), name: def.title, summary: def.summary, unit: def.dataUnit },
      station: {
        key: String(s.id),
        name: s.name,
        owner: s.owner,
        ownerCategory: s.ownerCategory,
        measuringStations: s.measuringStations,
        height: s.height,
      },
      period: {
        key: period,
        from: window.from,
        to: window.to,
        summary: PERIOD_TITLES[period],
        sampling: 'Ej angivet',
      },
      position: position(s, now),
      link: [
        {
          href: `${base}/parameter/${def.id}/station/${s.id}/period/${period}/data.json`,
          rel: 'data',
          type: FORMATS.json,
        },
      ],
    };
  }

  function stationSetDocument(def: ParameterDef, now: number) {
    const p = `/parameter/${def.id}`;
    const updated = latestObservationHour(now);
    return {
      key: 'all',
      updated,
      title: `${def.title} - Alla Stationer: Välj tidsutsnitt`,
      summary: SET_SUMMARY,
      link: [
        ...links(`${p}/station-set/all`, 'stationSet'),
        { href: `${base}${p}.atom`, rel: 'parameter', type: FORMATS.atom },
      ],
      period: [
        {
          key: 'latest-hour',
          updated,
          title: PERIOD_TITLES['latest-hour'],
          summary: '',
          link: links(`${p}/station-set/all/period/latest-hour`, 'period'),
        },
      ],
    };
  }

  function stationSetPeriod(def: ParameterDef, now: number) {
    const path = `/parameter/${def.id}/station-set/all/period/latest-hour`;
    const latest = latestObservationHour(now);
    return {
      key: 'latest-hour',
      updated: latest,
      title: `${def.title} - Alla Stationer - ${PERIOD_TITLES['latest-hour']}: Ladda ner data`,
      summary: DOWNLOAD_SUMMARY,
      from: latest - HOUR_MS + 1,
      to: latest,
      link: links(path, 'period'),
      data: [
        {
          key: null,
          updated: latest,
          title: 'Datafil',
          summary: '',
          link: [
            ...links(`${path}/data`, 'data', ['json', 'xml']),
            { href: `${base}${path}/data.csv`, rel: 'data', type: 'text/plain' },
          ],
        },
      ],
    };
  }

  function stationSetData(def: ParameterDef, now: number) {
    const latest = latestObservationHour(now);
    const from = latest - HOUR_MS + 1;
    return {
      updated: latest + PUBLISH_DELAY_MS,
      parameter: { key: String(def.id), name: def.title, unit: def.dataUnit },
      period: { key: 'latest-hour', from, to: latest, summary: PERIOD_TITLES['latest-hour'] },
      link: [
        {
          href: `${base}/parameter/${def.id}/station-set/all/period/latest-hour/data.json`,
          rel: 'data',
          type: FORMATS.json,
        },
      ],
      station: stations()
        .filter((s) => s.active && s.parameters.has(def.id))
        .map((s) => {
          // A station without a reading this hour carries SMHI's `[null]` (smhi.md §1.3).
          const silent = hashUnit(s.id, Math.floor(latest / HOUR_MS), def.id, 0x5e7) < 0.03;
          const values = silent ? [] : observations(new StationWeather(s), def, from - 1, latest, now);
          return {
            key: String(s.id),
            name: s.name,
            owner: s.owner,
            measuringStations: s.measuringStations,
            height: s.height,
            latitude: s.latitude,
            longitude: s.longitude,
            value: values.length > 0 ? values : [null],
          };
        }),
    };
  }

  const PARAMETER_PATH = /^\/parameter\/(\d{1,3})(?:\.json|(\/.+))$/;
  const STATION_PATH = /^\/station\/(\d{1,8})(?:\/period\/([a-z-]+)(\/data)?)?\.json$/;

  function handle(req: SimRequest): SimResponse {
    if (req.method !== 'GET' && req.method !== 'HEAD') return metobsNotFound();
    const now = req.now;
    const m = PARAMETER_PATH.exec(req.path);
    if (!m) return metobsNotFound();
    const def = parameterDef(Number(m[1]));
    if (!def || String(def.id) !== m[1]) return metobsNotFound();
    const rest = m[2];
    if (rest === undefined) return ok(now, parameterListing(def, now));
    const hasSet = periodsOf(def).includes('latest-hour');
    switch (rest) {
      case '/station-set/all.json':
        return hasSet ? ok(now, stationSetDocument(def, now)) : metobsNotFound();
      case '/station-set/all/period/latest-hour.json':
        return hasSet ? ok(now, stationSetPeriod(def, now)) : metobsNotFound();
      case '/station-set/all/period/latest-hour/data.json':
        return hasSet ? ok(now, stationSetData(def, now)) : metobsNotFound();
    }
    const sm = STATION_PATH.exec(rest);
    if (!sm) return metobsNotFound();
    const s = station(Number(sm[1]));
    if (!s || String(s.id) !== sm[1] || !s.parameters.has(def.id)) return metobsNotFound();
    if (sm[2] === undefined) return ok(now, stationDocument(s, def, now));
    const period = sm[2] as PeriodKey;
    if (!periodsFor(s, def).includes(period)) return metobsNotFound();
    if (!sm[3]) return ok(now, periodDocument(s, def, period, now));
    // The quality-controlled archive is CSV only: there is no data.json for it (smhi.md §1.1).
    if (period === 'corrected-archive') return metobsNotFound();
    return ok(now, stationData(s, def, period, now));
  }

  const apiLinks = (href: string, rel: string) =>
    (Object.keys(FORMATS) as Format[]).map((f) => ({ href: `${href}.${f}`, rel, type: FORMATS[f] }));

  function versions(now: number) {
    const updated = latestObservationHour(now);
    return {
      key: 'metobs',
      updated,
      title:
        'Meteorologiska observationer från SMHI: Välj version (sedan parameter, station och tidsutsnitt)',
      summary:
        'Nedladdningstjänst för svenska meteorologiska observationsdata från SMHI. Du kan ladda ned data för en parameter och en station i taget. Erbjudna format är Atomflöde, XML och JSON.',
      link: apiLinks(apiRoot, 'category'),
      version: [
        {
          key: 'latest',
          updated,
          title: 'Senaste versionen av nedladdningstjänsten',
          summary: '',
          link: apiLinks(`${apiRoot}/version/latest`, 'version'),
        },
        {
          key: '1.0',
          updated,
          title: '1.0 versionen av nedladdningstjänsten',
          summary: '',
          link: apiLinks(`${apiRoot}/version/1.0`, 'version'),
        },
      ],
    };
  }

  function parameters(now: number) {
    const updated = latestObservationHour(now);
    return {
      key: '1.0',
      updated,
      title: '1.0 versionen av nedladdningstjänsten: Välj parameter (sedan station och tidsutsnitt)',
      summary: '',
      link: [...links('', 'version'), { href: `${apiRoot}.atom`, rel: 'category', type: FORMATS.atom }],
      resource: PARAMETERS.map((def) => ({
        key: String(def.id),
        updated,
        title: def.title,
        summary: def.summary,
        link: links(`/parameter/${def.id}`, 'parameter'),
        unit: def.unit,
        geoBox: { minLatitude: 55.0, minLongitude: 10.0, maxLatitude: 70.0, maxLongitude: 25.0 },
      })),
    };
  }

  function handleOrigin(req: SimRequest): SimResponse {
    if (req.method !== 'GET' && req.method !== 'HEAD') return metobsNotFound();
    const apiPath = new URL(apiRoot).pathname;
    const path = req.url.pathname;
    if (path === `${apiPath}.json`) return ok(req.now, versions(req.now));
    if (path === `${apiPath}/version/1.0.json` || path === `${apiPath}/version/latest.json`) {
      return ok(req.now, parameters(req.now));
    }
    const latest = `${apiPath}/version/latest/`;
    if (path.startsWith(latest)) return handle({ ...req, path: `/${path.slice(latest.length)}` });
    return metobsNotFound();
  }

  return { handle, handleOrigin, stations };
}
