import { readFileSync } from 'node:fs';
import Keyv from 'keyv';
import { request } from 'undici';
import { silentLogger } from '../../kit/logger.ts';
import { type AgencySimulator, OfflineDispatcher, type OfflineFaults } from '../../kit/simulator.ts';
import { createUpstream } from '../../kit/upstream.ts';
import { createJobTechClient, type JobTechClient } from '../../subgraphs/jobtech/client.ts';
import { createJobTechSimulator } from '../../subgraphs/jobtech/simulator/index.ts';

/** JobSearch's real base URL: the simulator mounts wherever JOBTECH_SEARCH_URL points. */
export const JOBSEARCH = 'https://jobsearch.api.jobtechdev.se';

/** A clock in the middle of March 2026 (winter time in Sweden). */
export const NOW = Date.parse('2026-03-16T10:30:00Z');

/** A recorded response of `/work/shared/fixtures/recorded/jobtech` (identical copies in test/fixtures/jobtech). */
export function recording<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(`test/fixtures/jobtech/${name}`, 'utf8')) as T;
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Record<string, unknown>;
  body: T;
  text: string;
}

export interface JobTechHarness {
  sim: AgencySimulator;
  dispatcher: OfflineDispatcher;
  /** GET through the dispatcher, as the client's undici request would go. */
  get<T = Record<string, unknown>>(
    pathAndQuery: string,
    headers?: Record<string, string>,
  ): Promise<Answer<T>>;
  /** The real JobTech client over the simulator. */
  client(): JobTechClient;
}

export function harness(now: number = NOW, faults?: OfflineFaults): JobTechHarness {
  const clock = () => now;
  const sim = createJobTechSimulator({ config: { JOBTECH_SEARCH_URL: JOBSEARCH }, now: clock });
  const dispatcher = new OfflineDispatcher({ simulators: [sim], now: clock, faults });
  return {
    sim,
    dispatcher,
    async get<T>(pathAndQuery: string, headers: Record<string, string> = {}) {
      const res = await request(`${JOBSEARCH}${pathAndQuery}`, { method: 'GET', dispatcher, headers });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, body: JSON.parse(text) as T, text };
    },
    client() {
      const upstream = createUpstream({
        agency: 'jobtech',
        baseUrl: JOBSEARCH,
        cache: new Keyv(),
        logger: silentLogger,
        dispatcher,
        now: clock,
        sleep: async () => {},
        retries: 1,
      });
      return createJobTechClient(upstream);
    },
  };
}

/** A JobSearch ad as the simulator serves it (the fields the tests read). */
export interface Ad {
  id: string;
  headline: string;
  label: unknown;
  publication_date: string;
  last_publication_date: string;
  application_deadline: string | null;
  timestamp: number;
  relevance?: number;
  number_of_vacancies: number;
  description: { text: string; text_formatted: string };
  employer: { name: string; organization_number: string; phone_number: unknown; email: unknown };
  occupation: { concept_id: string; label: string; legacy_ams_taxonomy_id: string };
  occupation_group: { concept_id: string; label: string; legacy_ams_taxonomy_id: string };
  occupation_field: { concept_id: string; label: string; legacy_ams_taxonomy_id: string };
  workplace_address: {
    municipality: string;
    municipality_code: string;
    municipality_concept_id: string;
    region_code: string;
    region_concept_id: string;
    country_code: string;
    city: string | null;
    coordinates: [number, number];
  };
  must_have: { skills: Array<{ concept_id: string }> };
  nice_to_have: { skills: Array<{ concept_id: string }> };
  application_contacts: unknown[];
}

export interface Search {
  total: { value: number };
  positions: number;
  stats: Array<{
    type: string;
    values: Array<{ term: string; concept_id: string; code: string; count: number }>;
  }>;
  freetext_concepts: Record<string, string[]>;
  hits: Ad[];
}

export interface Complete {
  typeahead: Array<{ value: string; found_phrase: string; type: string; occurrences: number }>;
}
