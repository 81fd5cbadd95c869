import { describe, expect, it } from 'vitest';
import { type JobAdModel, parseAd, parseComplete, parseSearch } from '../../subgraphs/jobtech/client.ts';
import { swedishIso, toSwedishLocal } from '../../subgraphs/jobtech/time.ts';
import { fixture } from './helpers.ts';

const recorded = fixture('jobsearch_ad_28746073.json');

describe('parseAd on the recorded ad (28746073)', () => {
  const ad: JobAdModel = parseAd(recorded);

  it('maps identity, texts and employer', () => {
    expect(ad.id).toBe('28746073');
    expect(ad.externalId).toBe('46-556074-3089-42438554');
    expect(ad.headline).toBe('Group Product Manager - Customer Care');
    expect(ad.webpageUrl).toBe('https://arbetsformedlingen.se/platsbanken/annonser/28746073');
    expect(ad.logoUrl).toBe(
      'https://www.arbetsformedlingen.se/rest/arbetsgivare/rest/af/v3/organisation/5560743089/logotyper/logo.png',
    );
    expect(ad.description.text).toMatch(/^Who are we\?\nVolvo Cars/);
    expect(ad.description.text).toContain('coach, mentor & inspire');
    // The formatted text keeps JobSearch's HTML escaping.
    expect(ad.description.formatted).toContain('coach, mentor &amp; inspire');
    expect(ad.description.conditions).toBe('Full Time\r\nPermanent');
    expect(ad.description.companyInformation).toBeNull();
    expect(ad.description.needs).toBeNull();
    expect(ad.description.requirements).toBeNull();
    expect(ad.employer).toEqual({
      name: 'Volvo Personvagnar AB',
      organizationNumber: '5560743089',
      url: 'https://www.volvocars.com/',
      workplace: 'Volvo Car Corporation',
    });
  });

  it('maps taxonomy concepts with label, concept id and the legacy id as text', () => {
    expect(ad.occupation).toEqual({ conceptId: '32bC_YdL_JtU', label: 'Produktutvecklare', legacyId: '161' });
    expect(ad.occupationGroup).toEqual({
      conceptId: 'mp2Y_vyC_RFV',
      label: 'Övriga civilingenjörsyrken',
      legacyId: '2149',
    });
    expect(ad.occupationField).toEqual({
      conceptId: '6Hq3_tKo_V57',
      label: 'Yrken med teknisk inriktning',
      legacyId: '18',
    });
    expect(ad.employmentType).toEqual({
      conceptId: 'PFZr_Syz_cUq',
      label: 'Vanlig anställning',
      legacyId: '1',
    });
    expect(ad.workingHours).toEqual({ conceptId: '6YE1_gAC_R2G', label: 'Heltid', legacyId: '1' });
    expect(ad.duration).toEqual({ conceptId: 'a7uU_j21_mkL', label: 'Tills vidare', legacyId: '1' });
    expect(ad.salaryType).toEqual({
      conceptId: 'oG8G_9cW_nRf',
      label: 'Fast månads- vecko- eller timlön',
      legacyId: '1',
    });
  });

  it('maps numbers, flags, the "Undefined" salary placeholder and label "[]"', () => {
    expect(ad.salaryDescription).toBeNull();
    expect(ad.numberOfPositions).toBe(1);
    expect(ad.scopeOfWork).toEqual({ min: 100, max: 100 });
    expect(ad.experienceRequired).toBe(true);
    expect(ad.drivingLicenseRequired).toBe(false);
    expect(ad.labels).toEqual([]);
    expect(ad.relevance).toBeNull();
  });

  it('reads date-times as Swedish local time and emits them with the offset (April → +02:00)', () => {
    expect(ad.publishedAt).toBe('2024-04-24T14:27:02+02:00');
    expect(ad.applicationDeadline).toBe('2024-05-08T23:59:59+02:00');
    expect(ad.lastPublishedAt).toBe('2024-05-08T23:59:59+02:00');
  });

  it('maps how to apply', () => {
    expect(ad.application).toEqual({
      url: 'https://volvo-car-corporation.contactrh.com/jobs/9669/42438554',
      email: null,
      information: 'Ansökan skickas till: VAK building, Assar Gabrielssons väg, Göteborg, SE',
      reference: '69821-42438554',
      viaArbetsformedlingen: false,
    });
  });

  it('maps the workplace: codes to our entities, coordinates [lon, lat] to latitude/longitude', () => {
    expect(ad.workplace).toEqual({
      street: null,
      postcode: null,
      city: null,
      municipalityCode: '0180',
      countyCode: '01',
      country: 'Sverige',
      // The ad sends [18.06858, 59.329323] = [longitude, latitude].
      location: { latitude: 59.329323, longitude: 18.06858 },
    });
  });

  it('drops application_contacts (personal data) entirely', () => {
    const text = JSON.stringify(ad);
    expect(text).not.toContain('Förnamn Efternamn');
    expect(text).not.toContain('+46 31590000');
    expect(text).not.toMatch(/"\w*[cC]ontacts?\w*":/);
  });
});

describe('parseAd on variations of the recorded shape', () => {
  const variant = (patch: (ad: Record<string, unknown>) => void) => {
    const copy = structuredClone(recorded);
    patch(copy);
    return parseAd(copy);
  };

  it('turns a winter publication date into +01:00', () => {
    const ad = variant((a) => {
      a['publication_date'] = '2024-01-15T10:00:00';
      a['application_deadline'] = '2024-02-05T23:59:59';
    });
    expect(ad.publishedAt).toBe('2024-01-15T10:00:00+01:00');
    expect(ad.applicationDeadline).toBe('2024-02-05T23:59:59+01:00');
  });

  it('maps absent and null values to null, never to empty objects or strings', () => {
    const ad = variant((a) => {
      for (const k of [
        'external_id',
        'logo_url',
        'application_deadline',
        'number_of_vacancies',
        'employment_type',
        'salary_type',
        'salary_description',
        'duration',
        'working_hours_type',
        'occupation',
        'occupation_group',
        'occupation_field',
        'label',
        'scope_of_work',
      ])
        a[k] = null;
      a['employer'] = {
        phone_number: null,
        email: null,
        url: '',
        organization_number: null,
        name: 'X',
        workplace: null,
      };
      a['workplace_address'] = {
        municipality: null,
        municipality_code: null,
        municipality_concept_id: null,
        region: null,
        region_code: '90',
        region_concept_id: 'vrDq_rUY_7PX',
        country: 'Norge',
        country_code: '155',
        country_concept_id: 'QJgN_Zge_BzJ',
        street_address: null,
        postcode: null,
        city: null,
        coordinates: [null, null],
      };
      delete a['application_details'];
    });
    expect(ad.externalId).toBeNull();
    expect(ad.logoUrl).toBeNull();
    expect(ad.applicationDeadline).toBeNull();
    expect(ad.numberOfPositions).toBeNull();
    expect(ad.occupation).toBeNull();
    expect(ad.employmentType).toBeNull();
    expect(ad.salaryDescription).toBeNull();
    expect(ad.scopeOfWork).toBeNull();
    expect(ad.labels).toEqual([]);
    expect(ad.employer).toEqual({ name: 'X', organizationNumber: null, url: null, workplace: null });
    expect(ad.application).toEqual({
      url: null,
      email: null,
      information: null,
      reference: null,
      viaArbetsformedlingen: null,
    });
    // Abroad, "90" = Ospecificerad: no municipality, no county, no usable position.
    expect(ad.workplace).toEqual({
      street: null,
      postcode: null,
      city: null,
      municipalityCode: null,
      countyCode: null,
      country: 'Norge',
      location: null,
    });
  });

  it('finds the municipality from its concept id when the code is missing, and the county from it', () => {
    const ad = variant((a) => {
      const w = a['workplace_address'] as Record<string, unknown>;
      w['municipality_code'] = null;
      w['region_code'] = null;
      w['region_concept_id'] = null;
      w['municipality_concept_id'] = 'AvNB_uwa_6n6';
    });
    expect(ad.workplace.municipalityCode).toBe('0180');
    expect(ad.workplace.countyCode).toBe('01');
  });

  it('accepts labels as a real array and treats [0, 0] coordinates as missing', () => {
    const ad = variant((a) => {
      a['label'] = ['Distansarbete'];
      (a['workplace_address'] as Record<string, unknown>)['coordinates'] = [0, 0];
    });
    expect(ad.labels).toEqual(['Distansarbete']);
    expect(ad.workplace.location).toBeNull();
  });

  it('rejects an ad without an id (UPSTREAM_BAD_RESPONSE upstream)', () => {
    expect(() => parseAd({ headline: 'x' })).toThrow(/id/);
  });
});

describe('Swedish time', () => {
  it.each([
    ['2024-04-24T14:27:02', '2024-04-24T14:27:02+02:00'],
    ['2024-01-15T10:00:00', '2024-01-15T10:00:00+01:00'],
    ['2024-12-31T23:59:59', '2024-12-31T23:59:59+01:00'],
    // Last winter second before the spring change, and the first summer second.
    ['2024-03-31T01:59:59', '2024-03-31T01:59:59+01:00'],
    ['2024-03-31T03:00:00', '2024-03-31T03:00:00+02:00'],
    // 02:30 does not exist on 31 March 2024: read with the winter offset (= 03:30 summer time).
    ['2024-03-31T02:30:00', '2024-03-31T03:30:00+02:00'],
    // 02:30 occurs twice on 27 October 2024: the earlier (summer) one.
    ['2024-10-27T02:30:00', '2024-10-27T02:30:00+02:00'],
    ['2024-10-27T03:30:00', '2024-10-27T03:30:00+01:00'],
    ['2024-04-24T12:27:02Z', '2024-04-24T14:27:02+02:00'],
  ])('%s → %s', (input, expected) => {
    expect(swedishIso(input)).toBe(expected);
  });

  it('returns null for absent or unparseable values', () => {
    expect(swedishIso(null)).toBeNull();
    expect(swedishIso('')).toBeNull();
    expect(swedishIso('yesterday')).toBeNull();
    expect(swedishIso('2024-02-30T10:00:00')).toBeNull();
  });

  it('converts publishedAfter to Swedish local time for JobSearch', () => {
    expect(toSwedishLocal('2024-04-24')).toBe('2024-04-24T00:00:00');
    expect(toSwedishLocal('2024-04-24T08:00:00')).toBe('2024-04-24T08:00:00');
    expect(toSwedishLocal('2024-04-24T06:00:00Z')).toBe('2024-04-24T08:00:00');
    expect(toSwedishLocal('2024-01-10T06:00:00+00:00')).toBe('2024-01-10T07:00:00');
    expect(toSwedishLocal('last week')).toBeNull();
  });
});

describe('parseSearch and parseComplete on recorded responses', () => {
  it('reads total, positions and the stats facet of the recorded limit=0 search', () => {
    const result = parseSearch(fixture('jobsearch_search_limit0_stats_occupation-name.json'));
    expect(result.total).toBe(79);
    expect(result.positions).toBe(0);
    expect(result.ads).toEqual([]);
    expect(result.stats[0]?.type).toBe('occupation-name');
    expect(result.stats[0]?.values[0]).toEqual({
      term: 'Helpdesktekniker/Supporttekniker',
      conceptId: 'KQty_E1u_cia',
      code: '7020',
      count: 45,
    });
  });

  it('reads hits with their relevance (synthetic search built from the recorded ad)', () => {
    const result = parseSearch(fixture('jobsearch_search_utvecklare_0180_limit5_synthetic.json'));
    expect(result.total).toBe(412);
    expect(result.ads.map((a) => a.id)).toEqual(['90000001', '90000002', '90000003', '90000004', '90000005']);
    expect(result.ads[0]?.relevance).toBe(0.98);
    expect(result.ads[2]?.publishedAt).toBe('2024-01-15T10:00:00+01:00');
  });

  it('reads the recorded typeahead', () => {
    expect(parseComplete(fixture('jobsearch_complete_qfields_skill.json'))).toEqual([
      { value: 'installation', foundPhrase: 'installation', type: 'skill', occurrences: 3 },
      { value: 'microsoft exchange', foundPhrase: 'microsoft exchange', type: 'skill', occurrences: 3 },
    ]);
  });
});
