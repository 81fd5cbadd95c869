import { badInput } from '../kit/errors.ts';
import { geography, requireSwedishPoint } from '../kit/sweden.ts';
import type { Forecast } from './client.ts';
import type { PlaceRef, SmhiContext } from './context.ts';
import type { Resolvers } from './generated/resolvers-types.ts';
import { pointKey } from './loaders.ts';

const AGENCY = 'smhi';
export const MAX_FORECAST_HOURS = 240;

function checkHours(hours: number | null | undefined): number {
  const h = hours ?? 24;
  if (!Number.isInteger(h) || h < 1 || h > MAX_FORECAST_HOURS) {
    throw badInput(
      `forecast(hours: ${h}) is out of range: hours must be an integer from 1 to ${MAX_FORECAST_HOURS}.`,
      AGENCY,
    );
  }
  return h;
}

/** The steps within the first `hours` hours of the run (from its first step). */
export function firstHours(forecast: Forecast, hours: number) {
  const first = forecast.steps[0];
  if (!first) return [];
  const end = Date.parse(first.time) + (hours - 1) * 3_600_000;
  return forecast.steps.filter((s) => Date.parse(s.time) <= end);
}

async function forecastFor(place: PlaceRef, hours: number | null | undefined, ctx: SmhiContext) {
  const h = checkHours(hours);
  requireSwedishPoint(place.latitude, place.longitude, AGENCY);
  const forecast = await ctx.loaders.forecast.load(pointKey(place.latitude, place.longitude));
  return forecast ? firstHours(forecast, h) : null;
}

export function createResolvers(): Resolvers {
  return {
    Place: {
      __resolveReference: (ref) => ({ latitude: ref.latitude, longitude: ref.longitude }),
      forecast: (place, { hours }, ctx) => forecastFor(place, hours, ctx),
    },
    Municipality: {
      __resolveReference: (ref) => ref,
      forecast: (m, { hours }, ctx) => {
        // @requires gives us the centroid; fall back to the embedded data if a caller omits it.
        const centroid = m.centroid ?? geography().municipalities.get(m.code)?.centroid;
        if (!centroid) throw badInput(`Unknown municipality code "${m.code}".`, AGENCY);
        return forecastFor(centroid, hours, ctx);
      },
    },
  };
}
