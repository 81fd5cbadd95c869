/**
 * The SMHI simulator's synthetic weather: one deterministic function of (place, time) shared by the
 * forecast (snow1g) and the observations (metobs), so that a station's latest reading agrees with
 * the forecast for the same place and hour.
 *
 * Nothing here is real data. The climate is a smooth fit to Sweden's well-known averages (about
 * 0 °C in January and 17 °C in July in Malmö, −14 °C and 13 °C in Kiruna), with a diurnal cycle by
 * solar time, a crude terrain model (the Scandinavian mountains, the Norrland plateau, the South
 * Swedish highlands) and seeded smooth noise for the weather of the day: moving pressure systems
 * whose gradient gives the wind, cloud layers favoured by low pressure, precipitation from cloud and
 * noise. Values depend on place and valid time only, never on when they are asked for.
 */
import { noise3, salt, unit } from './noise.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const KM_PER_DEG_LAT = 111.2;
/** Longitude km at 62° N: one fixed plane for the noise fields (shapes, not distances, matter). */
const KM_PER_DEG_LON = 52.3;

const S = {
  pressureBig: salt('pressure-big'),
  pressureSmall: salt('pressure-small'),
  anomalyBig: salt('temperature-anomaly-big'),
  anomalySmall: salt('temperature-anomaly-small'),
  cloud: salt('cloud'),
  cloudFine: salt('cloud-fine'),
  low: salt('cloud-low'),
  medium: salt('cloud-medium'),
  high: salt('cloud-high'),
  wet: salt('precipitation'),
  humidity: salt('humidity'),
  gust: salt('gust'),
  veer: salt('wind-veer'),
  thunder: salt('thunder'),
  terrain: salt('terrain'),
  deterministic: salt('deterministic-member'),
};

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Day of year 0–365 (UTC), from the mean Gregorian year counted from 1970-01-01 (off by under a day
 * around leap years; plenty for a seasonal phase, and much cheaper than a Date).
 */
export function dayOfYear(tMs: number): number {
  const YEAR_DAYS = 365.2425;
  return (((tMs / DAY_MS) % YEAR_DAYS) + YEAR_DAYS) % YEAR_DAYS;
}

/** 0 in mid-January … 1 in late July: the seasonal phase. */
export function summerness(tMs: number): number {
  return (1 - Math.cos((2 * Math.PI * (dayOfYear(tMs) - 20)) / 365.25)) / 2;
}

/** Solar elevation in degrees (a standard approximation: declination by day, hour angle by solar time). */
export function solarElevation(lat: number, lon: number, tMs: number): number {
  const doy = dayOfYear(tMs);
  const decl = -23.44 * Math.cos((2 * Math.PI * (doy + 10)) / 365.25);
  const solarHour = (((tMs / HOUR_MS) % 24) + 24 + lon / 15) % 24;
  const hourAngle = (solarHour - 12) * 15;
  const r = Math.PI / 180;
  const sinEl =
    Math.sin(lat * r) * Math.sin(decl * r) + Math.cos(lat * r) * Math.cos(decl * r) * Math.cos(hourAngle * r);
  return Math.asin(clamp(sinEl, -1, 1)) / r;
}

// --- terrain --------------------------------------------------------------------------------

/** The Scandinavian mountain ridge (lat → lon), from Dalarna to the far north. */
const RIDGE: ReadonlyArray<[number, number]> = [
  [61.0, 12.3],
  [64.0, 13.8],
  [66.0, 15.5],
  [68.3, 18.5],
  [69.2, 20.5],
];

function ridgeLon(lat: number): number {
  const first = RIDGE[0]!;
  if (lat <= first[0]) return first[1];
  for (let i = 1; i < RIDGE.length; i++) {
    const [la, lo] = RIDGE[i - 1]!;
    const [lb, lob] = RIDGE[i]!;
    if (lat <= lb) return lo + ((lat - la) / (lb - la)) * (lob - lo);
  }
  return RIDGE[RIDGE.length - 1]![1];
}

/** The Bothnian coast (lat → lon) in the north. */
const coastLon = (lat: number) => 17.2 + (lat - 61) * 1.0;

/**
 * Synthetic terrain height in metres (not a real elevation model): the mountains along the Norwegian
 * border, the plateau sloping down to the Bothnian coast, the South Swedish highlands, a little noise.
 */
export function elevationM(lat: number, lon: number): number {
  const north = clamp((lat - 60.5) / 1.5, 0, 1);
  const ridge = ridgeLon(lat);
  const kmFromRidge = Math.abs(lon - ridge) * 111.32 * Math.cos((lat * Math.PI) / 180);
  const mountains = 900 * north * Math.exp(-((kmFromRidge / 45) ** 2));
  const plateau =
    300 *
    clamp((lat - 59.5) / 3, 0, 1) *
    clamp(1 - (lon - ridge) / Math.max(0.5, coastLon(lat) - ridge), 0, 1);
  const highlands = 260 * Math.exp(-(((lat - 57.3) / 0.9) ** 2) - ((lon - 14.3) / 1.4) ** 2);
  const bumps = 35 * (noise3((lon * KM_PER_DEG_LON) / 40, (lat * KM_PER_DEG_LAT) / 40, 0, S.terrain) + 1);
  return Math.max(0, mountains + plateau + highlands + bumps);
}

// --- climate --------------------------------------------------------------------------------

/**
 * Climatological 2-m temperature (°C) at sea level for a latitude and time, before weather noise:
 * annual mean falling northward (≈10 °C at 55.6° N, ≈2 °C at sea level at 67.9° N), a seasonal amplitude
 * growing northward (coldest around 20 January, warmest around 22 July), and a diurnal cycle by
 * solar time (warmest about 14.30) damped by cloud and in the dark season.
 */
export function climateTemperature(
  lat: number,
  lon: number,
  tMs: number,
  cloudFraction = 0.5,
  summer = summerness(tMs),
): number {
  const annualMean = 9.8 - 0.62 * (lat - 55.6);
  const amplitude = 8.5 + 0.41 * (lat - 55.6);
  const season = summer * 2 - 1; // −1 mid-January … +1 late July
  const solarHour = (((tMs / HOUR_MS) % 24) + 24 + lon / 15) % 24;
  const daylight = clamp(summer * 1.2 + (lat < 62 ? 0.25 : 0.05), 0.1, 1);
  const diurnal = (1.2 + 3.8 * daylight) * (1 - 0.6 * cloudFraction);
  return annualMean + amplitude * season + diurnal * Math.cos((2 * Math.PI * (solarHour - 14.5)) / 24);
}

// --- the weather at a place and time ---------------------------------------------------------

export interface Weather {
  /** Air temperature at 2 m, °C. */
  temperature: number;
  /** Mean-sea-level pressure, hPa. */
  pressure: number;
  /** 10-m wind, m/s, and the direction it comes from, degrees 0–359. */
  windSpeed: number;
  windDirection: number;
  windGust: number;
  /** Relative humidity, %. */
  humidity: number;
  dewPoint: number;
  /** Cloud cover, octas 0–8 (total and per layer) and the underlying fraction 0–1. */
  cloudFraction: number;
  cloudTotal: number;
  cloudLow: number;
  cloudMedium: number;
  cloudHigh: number;
  /** Probability (0–1) that it precipitates this hour, and the amount if it does (mm/h). */
  precipProbability: number;
  precipRate: number;
  /** What the deterministic model run gives this hour (mm). */
  precipDeterministic: number;
  /** Showers rather than widespread precipitation. */
  convective: boolean;
  /** Probability of thunder, % 0–100. */
  thunder: number;
  /** Share of the precipitation that falls frozen, % 0–100. */
  frozenPart: number;
  /** Horizontal visibility, km. */
  visibility: number;
}

function pressureAt(x: number, y: number, h: number): number {
  // Systems drift eastward ~30 km/h and evolve over a couple of days.
  const big = noise3((x - 30 * h) / 900, y / 900, h / 40, S.pressureBig);
  const small = noise3((x - 30 * h) / 350, y / 350, h / 16, S.pressureSmall);
  return 1013 + 22 * big + 5 * small;
}

/**
 * The weather at (lat, lon) at `tMs` (any time, not only whole hours). `elevation` (m) defaults to
 * the synthetic terrain; stations pass their own height.
 */
export function weatherAt(lat: number, lon: number, tMs: number, elevation = elevationM(lat, lon)): Weather {
  const x = lon * KM_PER_DEG_LON;
  const y = lat * KM_PER_DEG_LAT;
  const h = tMs / HOUR_MS;
  const summer = summerness(tMs);

  // Pressure and the wind it drives (geostrophic balance, turned 20° toward low pressure, slowed by
  // surface friction).
  const pressure = pressureAt(x, y, h);
  const d = 25;
  const dPdx = (pressureAt(x + d, y, h) - pressure) / d; // hPa per km, eastward
  const dPdy = (pressureAt(x, y + d, h) - pressure) / d; // northward
  // 1 hPa/100 km ≈ 6.7 m/s geostrophic at these latitudes.
  const ug = -dPdy * 670;
  const vg = dPdx * 670;
  const turn = (20 * Math.PI) / 180;
  const u = ug * Math.cos(turn) - vg * Math.sin(turn);
  const v = ug * Math.sin(turn) + vg * Math.cos(turn);
  const solarHour = (((h % 24) + 24 + lon / 15) % 24) as number;
  const afternoon = Math.cos((2 * Math.PI * (solarHour - 14)) / 24);
  const geostrophic = Math.hypot(u, v);
  const windSpeed = clamp(0.4 + 0.25 * geostrophic * (1 + 0.15 * afternoon) + elevation / 800, 0.2, 32);
  const veer = 18 * noise3(x / 60, y / 60, h / 3, S.veer);
  const toward = (Math.atan2(u, v) * 180) / Math.PI; // direction the air moves to, clockwise from north
  const windDirection = Math.round((((toward + 180 + veer) % 360) + 360) % 360) % 360;

  // Cloud: more with low pressure and in the dark season.
  const cloudNoise =
    noise3((x - 30 * h) / 400, y / 400, h / 20, S.cloud) * 1.6 +
    noise3((x - 30 * h) / 120, y / 120, h / 6, S.cloudFine) * 0.6;
  const cloudFraction = clamp(0.62 + 0.12 * (1 - summer) + cloudNoise - 0.018 * (pressure - 1013), 0, 1);
  const layer = (s: number, bias: number) =>
    Math.round(8 * clamp(cloudFraction + bias + 0.7 * noise3(x / 150, y / 150, h / 8, s), 0, 1));
  const cloudLow = layer(S.low, -0.12 + 0.1 * (1 - summer));
  const cloudMedium = layer(S.medium, -0.2);
  const cloudHigh = layer(S.high, -0.28);
  const layersWith3 = [cloudLow, cloudMedium, cloudHigh].filter((o) => o >= 3).length;
  const cloudTotal = Math.min(8, Math.max(cloudLow, cloudMedium, cloudHigh) + (layersWith3 >= 2 ? 1 : 0));

  // Temperature: climate at sea level, lapse rate, weather anomalies (larger in winter).
  const anomaly =
    (4 + 3 * (1 - summer)) * 2 * noise3((x - 25 * h) / 800, y / 800, h / 72, S.anomalyBig) +
    1.5 * 2 * noise3(x / 150, y / 150, h / 18, S.anomalySmall);
  const temperature =
    climateTemperature(lat, lon, tMs, cloudFraction, summer) -
    0.0065 * elevation +
    anomaly -
    0.8 * (cloudLow / 8);

  // Precipitation: where it is cloudy, pressure low and the rain noise high.
  const wetNoise = noise3((x - 35 * h) / 200, y / 200, h / 6, S.wet) * 1.5;
  const wetness = 0.6 * cloudFraction - 0.88 + 0.55 * wetNoise - 0.01 * (pressure - 1013);
  const precipProbability = wetness < -0.6 ? 0 : sigmoid(wetness / 0.06);
  const convective = cloudTotal <= 6 || (summer > 0.6 && temperature > 16);
  const precipRate = (0.1 + 3 * Math.max(0, wetness + 0.1) ** 2) * (convective ? 1.4 : 1);
  const detShift = 0.03 * noise3(x / 50, y / 50, h / 2, S.deterministic);
  const precipDeterministic = wetness + detShift > 0 ? precipRate : 0;

  // Thunder needs summer warmth and showers.
  const instability =
    clamp((summer - 0.55) / 0.45, 0, 1) *
    clamp((temperature - 14) / 10, 0, 1) *
    clamp(0.5 + noise3(x / 100, y / 100, h / 5, S.thunder) * 1.5, 0, 1);
  const thunder =
    convective && precipProbability > 0.2 ? Math.round(70 * instability) : Math.round(3 * instability);

  // Humidity: high in winter, at night, under cloud and in precipitation.
  const humidity = clamp(
    Math.round(
      84 -
        10 * summer -
        12 * afternoon * (1 - 0.5 * cloudFraction) +
        10 * (cloudFraction - 0.5) +
        12 * precipProbability +
        12 * noise3(x / 200, y / 200, h / 10, S.humidity),
    ),
    22,
    100,
  );
  const dewPoint = dewPointOf(temperature, humidity);

  const frozenPart = Math.round(clamp(((3 - temperature) / 3) * 100, 0, 100));
  const gustNoise = unit(Math.round(x), Math.round(y), Math.round(h), S.gust);
  const windGust = windSpeed * (1.45 + 0.35 * gustNoise) + 0.8 + (convective ? 1.5 * precipProbability : 0);

  let visibility = humidity < 60 ? 75 : 75 * (1 - 0.86 * ((humidity - 60) / 40) ** 0.7);
  if (precipProbability > 0.5)
    visibility = Math.min(visibility, (frozenPart > 50 ? 8 : 22) / (1 + 2 * precipRate));
  const fog = humidity >= 97 && windSpeed < 3 && cloudLow >= 7 && precipProbability < 0.3;
  if (fog) visibility = 0.2 + 0.7 * gustNoise;

  return {
    temperature,
    pressure,
    windSpeed,
    windDirection,
    windGust,
    humidity,
    dewPoint,
    cloudFraction,
    cloudTotal,
    cloudLow,
    cloudMedium,
    cloudHigh,
    precipProbability,
    precipRate,
    precipDeterministic,
    convective,
    thunder,
    frozenPart,
    visibility: clamp(visibility, 0.1, 75),
  };
}

/** Dew point (°C) from temperature and relative humidity (Magnus formula). */
export function dewPointOf(temperature: number, humidity: number): number {
  const a = 17.62;
  const b = 243.12;
  const g = Math.log(Math.max(1, humidity) / 100) + (a * temperature) / (b + temperature);
  return (b * g) / (a - g);
}
