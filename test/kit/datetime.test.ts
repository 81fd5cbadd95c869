/**
 * Normalising the agencies' dates and times for the `DateTime` and `Date` scalars (kit/datetime.ts)
 * and the scalars themselves (kit/scalars.ts): what is passed on, what is fixed, what is refused.
 */
import { GraphQLDateTime } from 'graphql-scalars';
import { describe, expect, it } from 'vitest';
import { normaliseDate, normaliseDateTime, upstreamDate, upstreamDateTime } from '../../kit/datetime.ts';
import { codeForUpstream, UpstreamError } from '../../kit/errors.ts';
import { DateScalar, DateTime } from '../../kit/scalars.ts';

/** The error a resolver's call throws, or undefined when it returned. */
function thrown(fn: () => unknown): UpstreamError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof UpstreamError) return err;
    throw err;
  }
}

describe('normaliseDateTime', () => {
  it('keeps an SMHI UTC time as it is', () => {
    expect(normaliseDateTime('2026-04-02T12:00:00Z', 'reject')).toEqual({
      ok: true,
      value: '2026-04-02T12:00:00Z',
    });
    // Warnings carry milliseconds; they stay.
    expect(normaliseDateTime('2026-04-02T12:00:00.123Z', 'reject')).toEqual({
      ok: true,
      value: '2026-04-02T12:00:00.123Z',
    });
  });

  it('fixes the form only: seconds added, compact offsets spelt out, T and Z upper-case', () => {
    expect(normaliseDateTime('2026-04-02T12:00Z', 'reject')).toEqual({
      ok: true,
      value: '2026-04-02T12:00:00Z',
    });
    expect(normaliseDateTime('2026-04-02t12:00:00z', 'reject')).toEqual({
      ok: true,
      value: '2026-04-02T12:00:00Z',
    });
    expect(normaliseDateTime('2026-04-02T14:00:00+0200', 'reject')).toEqual({
      ok: true,
      value: '2026-04-02T14:00:00+02:00',
    });
    expect(normaliseDateTime('2026-04-02 14:00:00+02', 'reject')).toEqual({
      ok: true,
      value: '2026-04-02T14:00:00+02:00',
    });
  });

  it('keeps the offset the agency gave (the catalogue registry writes Swedish offsets)', () => {
    const result = normaliseDateTime('2026-09-21T04:05:52.918+02:00', 'reject');
    expect(result).toEqual({ ok: true, value: '2026-09-21T04:05:52.918+02:00' });
  });

  it('reads a JobTech time without a zone as Swedish local time: +02:00 in summer, +01:00 in winter', () => {
    expect(normaliseDateTime('2024-04-24T14:27:02', 'europe-stockholm')).toEqual({
      ok: true,
      value: '2024-04-24T14:27:02+02:00',
    });
    expect(normaliseDateTime('2024-01-15T10:00:00', 'europe-stockholm')).toEqual({
      ok: true,
      value: '2024-01-15T10:00:00+01:00',
    });
    // The same instant as the parsed text says.
    expect(Date.parse('2024-04-24T14:27:02+02:00')).toBe(Date.UTC(2024, 3, 24, 12, 27, 2));
  });

  it('handles the clock changes: the repeated autumn hour is summer time, a spring-gap time moves forward', () => {
    // 27 October 2024, 02:30 happens twice in Sweden; the first (summer time, +02:00) is taken.
    expect(normaliseDateTime('2024-10-27T02:30:00', 'europe-stockholm')).toEqual({
      ok: true,
      value: '2024-10-27T02:30:00+02:00',
    });
    // 31 March 2024, 02:30 does not exist on Swedish clocks: 01:30 UTC, i.e. 03:30+02:00.
    expect(normaliseDateTime('2024-03-31T02:30:00', 'europe-stockholm')).toEqual({
      ok: true,
      value: '2024-03-31T03:30:00+02:00',
    });
  });

  it('refuses a time without a zone where the agency always sends one', () => {
    expect(normaliseDateTime('2026-04-02T12:00:00', 'reject')).toEqual({
      ok: false,
      problem: 'a date-time without a time zone',
    });
  });

  it.each([
    ['2026-02-30T12:00:00Z', 'not a calendar date'],
    ['2026-04-02T24:00:00Z', 'not a time of day'],
    ['2026-04-02T12:61:00Z', 'not a time of day'],
    ['2026-04-02T12:00:00+25:00', 'not a valid UTC offset'],
    ['2026-04-02', 'a date without a time'],
    ['yesterday', 'not an ISO-8601 date-time (expected e.g. 2026-04-02T12:00:00Z)'],
    ['1744876800000', 'not an ISO-8601 date-time (expected e.g. 2026-04-02T12:00:00Z)'],
  ])('refuses %s: %s', (value, problem) => {
    expect(normaliseDateTime(value, 'europe-stockholm')).toEqual({ ok: false, problem });
  });

  it('only ever hands out values graphql-scalars accepts as an RFC 3339 date-time', () => {
    for (const input of ['2026-04-02T12:00Z', '2024-04-24T14:27:02', '2026-09-21 04:05:52.9+0200']) {
      const result = normaliseDateTime(input, 'europe-stockholm');
      expect(result.ok).toBe(true);
      if (result.ok) expect(() => GraphQLDateTime.serialize(result.value)).not.toThrow();
    }
  });
});

describe('normaliseDate', () => {
  it('keeps a full date and takes the day of a date-time as written', () => {
    expect(normaliseDate('2026-05-14')).toEqual({ ok: true, value: '2026-05-14' });
    expect(normaliseDate('2026-09-21T04:30:05.836+02:00')).toEqual({ ok: true, value: '2026-09-21' });
  });

  it('gives null for a year or a month only when asked to (DCAT gYear, SGU borrdatum)', () => {
    expect(normaliseDate('1978', 'null')).toEqual({ ok: true, value: null });
    expect(normaliseDate('1985-06', 'null')).toEqual({ ok: true, value: null });
    expect(normaliseDate('1985-06')).toEqual({ ok: false, problem: 'a year or a month, not a whole day' });
    expect(normaliseDate('1985-13', 'null')).toEqual({ ok: false, problem: 'not a calendar month' });
  });

  it('refuses what is not a date', () => {
    expect(normaliseDate('2026-02-29')).toEqual({ ok: false, problem: 'not a calendar date' });
    expect(normaliseDate('14/05/2026').ok).toBe(false);
    expect(normaliseDate('2026-05-14Tnoon').ok).toBe(false);
  });
});

describe('upstreamDateTime / upstreamDate (what a resolver returns or throws)', () => {
  const scb = { agency: 'scb', what: "the table's `updated`", local: 'europe-stockholm' as const };

  it('answers null when the agency gives nothing', () => {
    expect(upstreamDateTime(null, scb)).toBeNull();
    expect(upstreamDateTime(undefined, scb)).toBeNull();
    expect(upstreamDateTime('  ', scb)).toBeNull();
    expect(upstreamDate(null, scb)).toBeNull();
  });

  it("normalises SCB's `updated` with and without a zone", () => {
    expect(upstreamDateTime('2025-02-21T07:00:00Z', scb)).toBe('2025-02-21T07:00:00Z');
    // SCB's older API lists the same publication at 08:00 without a zone: the same instant.
    const local = upstreamDateTime('2025-02-21T08:00:00', scb);
    expect(local).toBe('2025-02-21T08:00:00+01:00');
    expect(Date.parse(local!)).toBe(Date.parse('2025-02-21T07:00:00Z'));
  });

  it('throws UPSTREAM_BAD_RESPONSE for a malformed SCB `updated`, naming the value and what is wrong', () => {
    const err = thrown(() => upstreamDateTime('2025-13-45T07:00:00Z', scb));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err!.kind).toBe('BAD_PAYLOAD');
    expect(err!.agency).toBe('scb');
    expect(codeForUpstream(err!)).toBe('UPSTREAM_BAD_RESPONSE');
    expect(err!.message).toBe(
      'SCB sent the table\'s `updated` as "2025-13-45T07:00:00Z": not a calendar date, so it is left out.',
    );
    expect(thrown(() => upstreamDateTime('igår', scb))!.message).toContain('not an ISO-8601 date-time');
    expect(thrown(() => upstreamDateTime(20250221, scb))!.message).toContain('not a text date-time');
  });

  it('shortens a long bad value in the message', () => {
    const err = thrown(() => upstreamDateTime('x'.repeat(500), scb));
    expect(err!.message.length).toBeLessThan(200);
  });

  it('throws for a date that is not one, and gives null for a bare year only when allowed', () => {
    const sgu = { agency: 'sgu', what: "a well's `borrdatum`" };
    expect(upstreamDate('1978', { ...sgu, partial: 'null' })).toBeNull();
    expect(upstreamDate('2003-09-17', { ...sgu, partial: 'null' })).toBe('2003-09-17');
    expect(thrown(() => upstreamDate('1978', sgu))!.message).toContain('a year or a month');
    expect(thrown(() => upstreamDate('17/9 2003', { ...sgu, partial: 'null' }))!.kind).toBe('BAD_PAYLOAD');
  });
});

describe('the DateTime and Date scalars', () => {
  it('DateTime passes a valid string on as written, offset included', () => {
    expect(DateTime.serialize('2024-04-24T14:27:02+02:00')).toBe('2024-04-24T14:27:02+02:00');
    expect(DateTime.serialize('2026-04-02T12:00:00Z')).toBe('2026-04-02T12:00:00Z');
  });

  it('DateTime serialises a Date object as UTC text, never the object', () => {
    expect(DateTime.serialize(new Date(Date.UTC(2026, 3, 2, 12)))).toBe('2026-04-02T12:00:00.000Z');
  });

  it('DateTime refuses what is not RFC 3339 (no zone, no seconds, not a date)', () => {
    expect(() => DateTime.serialize('2024-04-24T14:27:02')).toThrow(/DateTime cannot represent/);
    expect(() => DateTime.serialize('2024-04-24T14:27Z')).toThrow(/DateTime cannot represent/);
    expect(() => DateTime.serialize('2024-02-30T14:27:00Z')).toThrow(/DateTime cannot represent/);
  });

  it('Date passes a full-date on and refuses anything else', () => {
    expect(DateScalar.serialize('2026-05-14')).toBe('2026-05-14');
    expect(() => DateScalar.serialize('2026-05')).toThrow(/Date cannot represent/);
    expect(() => DateScalar.serialize('2026-05-14T00:00:00Z')).toThrow(/Date cannot represent/);
  });

  it('neither carries a description or specifiedByURL of its own (the subgraph SDL keeps its own)', () => {
    for (const scalar of [DateTime, DateScalar]) {
      expect(scalar.description).toBeUndefined();
      expect(scalar.specifiedByURL).toBeUndefined();
    }
  });
});
