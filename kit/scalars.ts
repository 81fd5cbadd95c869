/**
 * The graph's `DateTime` and `Date` scalars, built on graphql-scalars (its validation and parsing).
 *
 * graphql-scalars' `DateTime` turns every value into a JavaScript `Date` when serialising, so the
 * answer would always be UTC (`…000Z`) and, in-process, a `Date` object rather than text. We keep its
 * check and pass a valid RFC 3339 string on as written, so that an agency's offset (JobTech's and the
 * catalogue's Swedish `+01:00`/`+02:00`) stays; a `Date` object becomes its UTC `toISOString()`.
 * `Date` is graphql-scalars' own behaviour (a valid full-date string is passed on unchanged).
 *
 * Neither instance has a description or `specifiedByURL`: the subgraph SDL (`scalar DateTime …`,
 * identical in every subgraph that declares it, see `SCALAR_SDL`) keeps its own, because
 * `@apollo/subgraph` copies every defined property of a scalar resolver onto the schema's type.
 * A resolver must still normalise upstream values first (kit/datetime.ts): the scalar's own error is
 * only the last line of defence.
 */
import { GraphQLScalarType } from 'graphql';
import { GraphQLDate, GraphQLDateTime } from 'graphql-scalars';

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize(value) {
    // Throws the library's error for anything that is not an RFC 3339 date-time (or a valid Date).
    const checked = GraphQLDateTime.serialize(value) as Date;
    return typeof value === 'string' ? value : checked.toISOString();
  },
  parseValue: (value) => GraphQLDateTime.parseValue(value),
  parseLiteral: (ast, variables) => GraphQLDateTime.parseLiteral(ast, variables),
});

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  serialize: (value) => GraphQLDate.serialize(value),
  parseValue: (value) => GraphQLDate.parseValue(value),
  parseLiteral: (ast, variables) => GraphQLDate.parseLiteral(ast, variables),
});

/**
 * The definitions every subgraph that uses the scalars declares, word for word (a test compares
 * them): composition merges same-named scalars, and clients see one description.
 */
export const SCALAR_SDL = {
  DateTime: `"""
An instant: an RFC 3339 date-time with an offset, e.g. "2026-04-02T12:00:00Z" or "2024-04-24T14:27:02+02:00".
The offset is the one the agency gave (UTC for SMHI, SGU and SCB's tables); a time the agency sends
without a zone (JobTech, SCB's older listings) is Swedish local time and carries Europe/Stockholm's
offset (+01:00 in winter, +02:00 in summer). Compare instants after parsing, not as text.
"""
scalar DateTime @specifiedBy(url: "https://www.rfc-editor.org/rfc/rfc3339#section-5.6")`,
  Date: `"""
A calendar date without a time or zone: an RFC 3339 full-date, e.g. "2026-04-02".
"""
scalar Date @specifiedBy(url: "https://www.rfc-editor.org/rfc/rfc3339#section-5.6")`,
} as const;
