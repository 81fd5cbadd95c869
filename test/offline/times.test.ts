/**
 * Offline, through the real gateway (every agency answered by its simulator): every `DateTime` and
 * `Date` field of the API schema answers with a valid RFC 3339 value, the same instant (or day) as the
 * deprecated text field it replaces, with UTC for SMHI and the Swedish offset for JobTech. The query
 * below must ask for every such field: a new one that it misses fails the coverage check.
 */
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { GraphQLDate, GraphQLDateTime } from 'graphql-scalars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWarnings } from '../../subgraphs/smhi/simulator/warnings.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const schema = buildSchema(readFileSync('schema/api-schema.graphql', 'utf8'));

/** Each new field with the deprecated text field it replaces (same parent). */
const PAIRS = `
  time validAt intervalStart intervalStartsAt ref validOn
  createdTime createdAt referenceTime referenceAt lastTime lastValidAt
  observedAt measuredAt
  from firstMeasuredAt to lastMeasuredAt
  monitoredFrom firstMeasuredOn monitoredTo lastMeasuredOn date measuredAt
  drilledDate drilledOn
  publishedAt publicationStartsAt lastPublishedAt publicationEndsAt applicationDeadline applicationClosesAt
  updated updatedAt
  issued issuedOn publisherModified publisherModifiedOn modified registryModifiedAt
  start startsOn end endsOn approximateStart startsAt approximateEnd endsAt
  published publishedAt created createdAt
`;

const QUERY = `{
  municipality(code: "0180") {
    forecast(hours: 12) { time validAt intervalStart intervalStartsAt }
    forecastRun { createdTime createdAt referenceTime referenceAt lastTime lastValidAt }
    currentWeather {
      observedAt measuredAt
      observations {
        observedAt measuredAt
        station {
          from firstMeasuredAt to lastMeasuredAt
          observations(period: LATEST_DAY) {
            from startsAt to endsAt updated updatedAt
            values { time measuredAt intervalStart intervalStartsAt ref validOn }
          }
        }
      }
    }
    groundwaterStations {
      monitoredFrom firstMeasuredOn monitoredTo lastMeasuredOn
      latestLevel { date measuredAt }
    }
    wells(limit: 50) { drilledDate drilledOn drilledPeriod }
    jobAds(limit: 20) {
      ads { publishedAt publicationStartsAt lastPublishedAt publicationEndsAt applicationDeadline applicationClosesAt }
    }
    statistics(table: "TAB638", selection: [{ variable: "ContentsCode", values: ["*"] }, { variable: "Tid", values: ["2024"] }]) {
      updated updatedAt
    }
    datasets(limit: 20) {
      nodes {
        issued issuedOn publisherModified publisherModifiedOn modified registryModifiedAt
        temporalCoverage { start startsOn end endsOn }
      }
    }
  }
  weatherWarnings {
    approximateStart startsAt approximateEnd endsAt
    areas { approximateStart startsAt approximateEnd endsAt published publishedAt created createdAt }
  }
  statisticsTable(id: "TAB638") { updated updatedAt }
  catalogStatistics { date countedOn }
}`;

/** RFC 3339 date-time with an offset, and full-date (the scalars' own checks decide validity too). */
const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/;

const DAY = 86_400_000;

/** The first noon from 2027-01-01 with a simulated warning in force (so warning times are asked). */
function clockWithWarnings(): number {
  const { current } = createWarnings();
  for (let d = 0; d < 365; d++) {
    const t = Date.parse('2027-01-01T12:00:00Z') + d * DAY;
    if ((current(t) as unknown[]).length > 0) return t;
  }
  throw new Error('no day with a simulated warning');
}

interface Found {
  coordinate: string;
  value: string;
  /** The deprecated text field beside it, when the query asked for it. */
  old: unknown;
}

/** Every DateTime / Date value in the answer, found by walking it alongside the query. */
function collect(data: unknown, scalar: 'DateTime' | 'Date'): Found[] {
  const out: Found[] = [];
  const document = parse(QUERY);
  const typeInfo = new TypeInfo(schema);
  // Paths of field names (aliases are not used) → the scalar's coordinate.
  const wanted = new Map<string, string>();
  const path: string[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          path.push(node.name.value);
          const type = typeInfo.getType();
          const parent = typeInfo.getParentType();
          if (type && parent && getNamedType(type).name === scalar) {
            wanted.set(path.join('.'), `${parent.name}.${node.name.value}`);
          }
        },
        leave() {
          path.pop();
        },
      },
    }),
  );
  const pairOf = new Map<string, string>();
  const words = PAIRS.trim().split(/\s+/);
  for (let i = 0; i < words.length; i += 2) pairOf.set(words[i + 1]!, words[i]!);
  const walk = (value: unknown, at: string[]) => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, at);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const obj = value as Record<string, unknown>;
    for (const [key, v] of Object.entries(obj)) {
      const here = [...at, key];
      const coordinate = wanted.get(here.join('.'));
      if (coordinate && v !== null) {
        const oldName = pairOf.get(key);
        out.push({ coordinate, value: v as string, old: oldName ? obj[oldName] : undefined });
      } else walk(v, here);
    }
  };
  walk(data, []);
  return out;
}

describe('DateTime and Date fields offline', () => {
  let gw: TestGateway;
  let data: unknown;
  beforeAll(async () => {
    const clock = clockWithWarnings();
    const started = Date.now();
    gw = await startTestGateway({
      env: { UPSTREAM_MODE: 'offline' },
      now: () => clock + (Date.now() - started),
    });
    const body = await gw.query(QUERY);
    expect(body.errors, JSON.stringify(body.errors, null, 2)).toBeUndefined();
    data = body.data;
  }, 60_000);
  afterAll(() => gw.stop());

  it('the query asks for every DateTime and Date field of the API schema', () => {
    const inSchema = new Set<string>();
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        const named = getNamedType(field.type).name;
        if (named === 'DateTime' || named === 'Date') inSchema.add(`${type.name}.${field.name}`);
      }
    }
    const typeInfo = new TypeInfo(schema);
    const asked = new Set<string>();
    visit(
      parse(QUERY),
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const parent = typeInfo.getParentType();
          if (parent) asked.add(`${parent.name}.${node.name.value}`);
        },
      }),
    );
    expect([...inSchema].filter((c) => !asked.has(c)).sort()).toEqual([]);
  });

  it('every DateTime is RFC 3339 with an offset and the same instant as the text field it replaces', () => {
    const found = collect(data, 'DateTime');
    // Most of the fields answer here (every-field.test.ts requires each to answer somewhere).
    expect(new Set(found.map((f) => f.coordinate)).size).toBeGreaterThan(20);
    for (const { coordinate, value, old } of found) {
      expect(value, coordinate).toMatch(RFC3339_DATE_TIME);
      expect(() => GraphQLDateTime.serialize(value), coordinate).not.toThrow();
      if (typeof old === 'string') expect(Date.parse(value), `${coordinate} vs ${old}`).toBe(Date.parse(old));
    }
  });

  it('SMHI times are UTC; JobTech times carry the Swedish offset of their date', () => {
    const found = collect(data, 'DateTime');
    const smhi = found.filter((f) =>
      /^(ForecastStep|ForecastRun|Observation|WarningArea|WeatherWarning)\./.test(f.coordinate),
    );
    expect(smhi.length).toBeGreaterThan(0);
    for (const f of smhi) expect(f.value, f.coordinate).toMatch(/Z$/);
    const jobs = found.filter((f) => f.coordinate.startsWith('JobAd.'));
    expect(jobs.length).toBeGreaterThan(0);
    const stockholm = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Stockholm',
      timeZoneName: 'longOffset',
    });
    for (const f of jobs) {
      // The offset Sweden had at that instant, e.g. "GMT+02:00" in summer.
      const zone = stockholm
        .formatToParts(new Date(Date.parse(f.value)))
        .find((p) => p.type === 'timeZoneName');
      expect(f.value.slice(-6), f.coordinate).toBe(zone?.value.replace('GMT', ''));
    }
  });

  it('every Date is an RFC 3339 full-date and the day of the text field it replaces', () => {
    const found = collect(data, 'Date');
    expect(new Set(found.map((f) => f.coordinate)).size).toBeGreaterThanOrEqual(4);
    for (const { coordinate, value, old } of found) {
      expect(value, coordinate).toMatch(FULL_DATE);
      expect(() => GraphQLDate.serialize(value), coordinate).not.toThrow();
      if (typeof old === 'string') expect(old.slice(0, 10), coordinate).toBe(value);
    }
  });

  it('a well drilled in a known year or month only has a null `drilledOn` but keeps `drilledPeriod`', () => {
    const wells = (data as { municipality: { wells: Array<Record<string, string | null>> } }).municipality
      .wells;
    expect(wells.length).toBeGreaterThan(0);
    for (const w of wells) {
      if (w['drilledDate'] === null) {
        expect(w['drilledPeriod']).toBeNull();
        continue;
      }
      expect(w['drilledPeriod']).toBe(w['drilledDate']);
      expect(w['drilledOn']).toBe(/^\d{4}-\d{2}-\d{2}$/.test(w['drilledDate']!) ? w['drilledDate'] : null);
    }
  });
});
