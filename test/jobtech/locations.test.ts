import { describe, expect, it } from 'vitest';
import { geography } from '../../kit/sweden.ts';
import {
  countyCodeOfConcept,
  countyConcept,
  locationTable,
  municipalityCodeOfConcept,
  municipalityConcept,
} from '../../subgraphs/jobtech/locations.ts';

describe('JobTech location concept table', () => {
  it('covers every municipality and county of the embedded geography, with the same names', () => {
    const { municipalities, counties } = geography();
    const table = locationTable();
    expect(Object.keys(table.municipality).sort()).toEqual([...municipalities.keys()].sort());
    for (const [code, m] of municipalities) expect(table.municipality[code]?.preferredTerm).toBe(m.name);
    for (const [code, c] of counties) expect(table.region[code]?.preferredTerm).toBe(c.name);
  });

  it('translates both ways, with JobTech examples', () => {
    expect(municipalityConcept('0180', 'jobtech')).toBe('AvNB_uwa_6n6');
    expect(countyConcept('01', 'jobtech')).toBe('CifL_Rzy_Mku');
    expect(municipalityCodeOfConcept('AvNB_uwa_6n6')).toBe('0180');
    expect(countyCodeOfConcept('CifL_Rzy_Mku')).toBe('01');
    // "90" Ospecificerad is in JobTech's table but is not a county.
    expect(countyCodeOfConcept('vrDq_rUY_7PX')).toBeUndefined();
  });

  it('rejects unknown codes with BAD_USER_INPUT', () => {
    expect(() => municipalityConcept('0000', 'jobtech')).toThrow(/Unknown municipality code "0000"/);
    expect(() => countyConcept('90', 'jobtech')).toThrow(/Unknown county code "90"/);
  });
});
