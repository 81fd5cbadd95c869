import { requireMunicipality } from '../../kit/sweden.ts';
import type { Resolvers } from './generated/resolvers-types.ts';

const AGENCY = '{{name}}';

export function createResolvers(): Resolvers {
  return {
    Municipality: {
      __resolveReference: (ref) => ({ code: ref.code }),
      // Bad input is rejected before any upstream call, with a message that says what is allowed.
      {{ident}}Summary: (m, _, ctx) => ctx.loaders.summary.load(requireMunicipality(m.code, AGENCY).code),
    },
  };
}
