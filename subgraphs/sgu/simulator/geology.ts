/**
 * Geological vocabulary and the rules that place it. The *names and codes* are SGU's; *where* each
 * appears is synthetic, from coarse regional rules (Gotland and Öland are limestone with thin soils,
 * south-west Skåne sedimentary rock under clay till, the Mälaren–Uppland plain clay below the
 * highest shoreline, Norrland till and peat, the Caledonian mountains schists) plus seeded noise.
 *
 * Soil classes: SGU's value domain "Jordart grundlager (jg2)" of Jordarter 1:25 000–1:100 000, as
 * copied in a third-party client; its 91 = "Vatten" agrees with the real response in the reference
 * (§1.5), and the names match classes seen in real `grundlager` answers ("Sandig morän", "Urberg",
 * "Glacial lera", "Kärrtorv", "Sedimentärt berg", "Svallsediment, grus", …).
 * Bedrock: rock names as SGU writes `bergart_tx`; the unit texts follow the pattern of a real
 * `geo_enh_tx` ("Svekokarelska orogenen, intrusivbergart (granit-pegmatitsvit), …"); codes are ours.
 */
import { geography, type MunicipalityRecord } from '../../../kit/sweden.ts';
import { landMask } from './landmask.ts';
import { pickWeighted, seedOf, unit, valueNoise } from './random.ts';

/** SGU jg2 codes and texts used by the simulator (a subset of the value domain). */
export const SOIL_CLASSES: Readonly<Record<number, string>> = {
  1: 'Mossetorv',
  5: 'Kärrtorv',
  6: 'Gyttja',
  9: 'Svämsediment, ler--silt',
  10: 'Svämsediment, sand',
  13: 'Flygsand',
  16: 'Gyttjelera (eller lergyttja)',
  17: 'Postglacial lera',
  28: 'Postglacial finsand',
  31: 'Postglacial sand',
  33: 'Svallsediment, grus',
  34: 'Klapper',
  40: 'Glacial lera',
  48: 'Glacial silt',
  50: 'Isälvssediment',
  55: 'Isälvssediment, sand',
  66: 'Blockmark',
  75: 'Torv',
  81: 'Talus (rasmassor)',
  82: 'Vittringsjord',
  91: 'Vatten',
  95: 'Sandig morän',
  97: 'Sandig-siltig morän',
  100: 'Morän',
  200: 'Fyllning',
  850: 'Sedimentärt berg',
  888: 'Berg',
  890: 'Urberg',
  2306: 'Bleke och kalkgyttja',
  8937: 'Svämsediment',
  9191: 'Glaciär',
  9792: 'Moränlera eller lerig morän',
  9794: 'Lerig morän',
};

/** Map symbol numbers (synthetic, except Vatten's 26, which the reference's real response shows). */
const SYMBOL_ORDER = Object.keys(SOIL_CLASSES).map(Number);
export const soilSymbol = (code: number): number => (code === 91 ? 26 : 30 + SYMBOL_ORDER.indexOf(code));

type Weights = Readonly<Record<number, number>>;

/** Relative frequency of each class by soil region (25k map), then the coarser 250k map. */
const SOIL_WEIGHTS: Readonly<Record<string, Weights>> = {
  clayplain: { 40: 22, 17: 10, 95: 22, 890: 16, 50: 4, 5: 4, 16: 3, 31: 4, 91: 4, 200: 2, 28: 3 },
  skane: { 9792: 28, 9794: 14, 95: 12, 31: 8, 40: 6, 50: 6, 5: 5, 28: 5, 9: 3, 13: 2, 91: 3, 200: 2, 890: 3 },
  gotland: { 850: 32, 9792: 18, 33: 12, 34: 6, 31: 8, 5: 6, 2306: 4, 91: 3, 13: 2, 9794: 5 },
  oland: { 850: 28, 9794: 25, 9792: 12, 33: 10, 31: 7, 5: 5, 91: 4, 34: 4, 13: 2, 2306: 3 },
  highland: { 95: 40, 890: 10, 5: 9, 1: 6, 50: 6, 31: 4, 40: 2, 91: 7, 66: 3, 100: 6, 55: 3, 6: 2 },
  central: {
    100: 22,
    95: 18,
    890: 10,
    75: 8,
    5: 6,
    1: 4,
    50: 7,
    40: 4,
    31: 4,
    91: 8,
    66: 2,
    10: 3,
    28: 3,
    48: 1,
  },
  norrland: { 100: 34, 97: 6, 75: 12, 5: 6, 50: 7, 890: 8, 91: 8, 28: 4, 10: 3, 66: 4, 48: 2, 31: 3, 9: 2 },
  north250: { 100: 42, 75: 20, 50: 8, 888: 10, 66: 5, 91: 8, 8937: 3 },
  mountain250: { 100: 30, 888: 25, 66: 15, 75: 8, 91: 8, 50: 4, 81: 4, 9191: 3, 82: 3 },
  south250: { 100: 40, 40: 12, 75: 12, 888: 12, 50: 8, 91: 8, 31: 5 },
};

/** One bedrock unit: the texts SGU gives a `geologisk-enhet-yta` polygon. */
export interface BedrockUnit {
  code: number;
  rock: string;
  unit: string;
  lithology: string;
  property: string;
  minerals: string | null;
  chemistry: string | null;
}

const SK = 'Svekokarelska orogenen';
const SN = 'Svekonorvegiska orogenen';
const KAL = 'Kaledoniska orogenen';
const SED = 'Fanerozoiskt sedimentärt täcke';
const QFG = 'kvarts-fältspat-glimmersammansättning';

const u = (
  code: number,
  rock: string,
  unit: string,
  lithology: string,
  property: string,
  minerals: string | null,
  chemistry: string | null,
): BedrockUnit => ({ code, rock, unit, lithology, property, minerals, chemistry });

const GOTLAND_LIMESTONE = u(
  161,
  'Kalksten',
  'Fanerozoisk sedimentär bergart (kalksten och revkalksten), silur 433-423 miljoner år',
  'Slitegruppen',
  'Sedimentär, lagrad',
  'kalcitsammansättning',
  null,
);
const GOTLAND_MARL = u(
  162,
  'Märgelsten',
  'Fanerozoisk sedimentär bergart (märgelsten), silur 433-427 miljoner år',
  'Hemsegruppen',
  'Sedimentär, lagrad',
  'kalcit-lermineralsammansättning',
  null,
);

/** Bedrock units by region with their weights, and the region's tectonic unit (tekt_n_tx). */
const BEDROCK: Readonly<Record<string, { tectonic: string; units: Array<[BedrockUnit, number]> }>> = {
  svecokarelian: {
    tectonic: SK,
    units: [
      [
        u(
          101,
          'Granit',
          `${SK}, intrusivbergart (granit-pegmatitsvit), ställvis metamorf, och migmatit 1,82-1,74 miljarder år`,
          'Null:okänt',
          'Massformig till svagt folierad',
          QFG,
          'sur',
        ),
        26,
      ],
      [
        u(
          102,
          'Granodiorit',
          `${SK}, intrusivbergart (granitoid-syenitoid-gabbroid-svit), metamorf 1,91-1,86 miljarder år`,
          'Uppsalagranit',
          'Metamorf, folierad',
          QFG,
          'intermediär',
        ),
        20,
      ],
      [
        u(
          103,
          'Tonalit',
          `${SK}, intrusivbergart (granitoid-syenitoid-gabbroid-svit), metamorf 1,91-1,86 miljarder år`,
          'Null:okänt',
          'Metamorf, gnejsig',
          QFG,
          'intermediär',
        ),
        8,
      ],
      [
        u(
          104,
          'Gnejs',
          `${SK}, sedimentär bergart, metamorf, och migmatit 1,91-1,86 miljarder år`,
          'Null:okänt',
          'Metamorf, gnejsig, migmatitisk',
          QFG,
          null,
        ),
        16,
      ],
      [
        u(
          105,
          'Metagråvacka',
          `${SK}, sedimentär bergart, metamorf 1,96-1,87 miljarder år`,
          'Metagråvacka, glimmerskiffer',
          'Metamorf, folierad',
          QFG,
          null,
        ),
        12,
      ],
      [
        u(
          106,
          'Amfibolit',
          `${SK}, mafisk intrusivbergart, metamorf 1,91-1,86 miljarder år`,
          'Null:okänt',
          'Metamorf, folierad',
          'hornblände-plagioklassammansättning',
          'basisk',
        ),
        5,
      ],
      [
        u(
          107,
          'Diabas',
          'Mafisk gångbergart, omvandlad 1,6-0,9 miljarder år',
          'Null:okänt',
          'Massformig, gångform',
          null,
          'basisk',
        ),
        3,
      ],
    ],
  },
  bergslagen: {
    tectonic: SK,
    units: [
      [
        u(
          111,
          'Metaryolit',
          `${SK}, vulkanisk bergart, metamorf 1,91-1,88 miljarder år`,
          'Bergslagens leptitformation',
          'Metamorf, finkornig',
          QFG,
          'sur',
        ),
        22,
      ],
      [
        u(
          112,
          'Metadacit',
          `${SK}, vulkanisk bergart, metamorf 1,91-1,88 miljarder år`,
          'Bergslagens leptitformation',
          'Metamorf, finkornig',
          QFG,
          'intermediär',
        ),
        12,
      ],
      [
        u(
          101,
          'Granit',
          `${SK}, intrusivbergart (granit-pegmatitsvit), ställvis metamorf, och migmatit 1,82-1,74 miljarder år`,
          'Null:okänt',
          'Massformig till svagt folierad',
          QFG,
          'sur',
        ),
        24,
      ],
      [
        u(
          102,
          'Granodiorit',
          `${SK}, intrusivbergart (granitoid-syenitoid-gabbroid-svit), metamorf 1,91-1,86 miljarder år`,
          'Null:okänt',
          'Metamorf, folierad',
          QFG,
          'intermediär',
        ),
        18,
      ],
      [
        u(
          113,
          'Marmor',
          `${SK}, sedimentär bergart (karbonatsten), metamorf 1,91-1,88 miljarder år`,
          'Null:okänt',
          'Metamorf, grovkristallin',
          'kalcit-dolomitsammansättning',
          null,
        ),
        5,
      ],
      [
        u(
          106,
          'Amfibolit',
          `${SK}, mafisk intrusivbergart, metamorf 1,91-1,86 miljarder år`,
          'Null:okänt',
          'Metamorf, folierad',
          'hornblände-plagioklassammansättning',
          'basisk',
        ),
        6,
      ],
    ],
  },
  norrbotten: {
    tectonic: SK,
    units: [
      [
        u(
          121,
          'Granit',
          `${SK}, intrusivbergart (granit-pegmatitsvit) 1,81-1,78 miljarder år`,
          'Linagranit',
          'Massformig',
          QFG,
          'sur',
        ),
        28,
      ],
      [
        u(
          122,
          'Granodiorit',
          `${SK}, intrusivbergart (perthitmonzonitsvit) 1,88-1,86 miljarder år`,
          'Haparandasviten',
          'Massformig till svagt folierad',
          QFG,
          'intermediär',
        ),
        16,
      ],
      [
        u(
          123,
          'Metaandesit',
          `${SK}, vulkanisk bergart, metamorf 1,89-1,88 miljarder år`,
          'Kirunaporfyr',
          'Metamorf, porfyrisk',
          null,
          'intermediär',
        ),
        12,
      ],
      [
        u(
          124,
          'Metabasalt',
          'Karelska bergarter, vulkanisk bergart, metamorf 2,2-2,0 miljarder år',
          'Kiruna grönstensgrupp',
          'Metamorf, folierad',
          null,
          'basisk',
        ),
        12,
      ],
      [
        u(
          125,
          'Kvartsit',
          'Karelska bergarter, sedimentär bergart, metamorf 2,1-1,9 miljarder år',
          'Null:okänt',
          'Metamorf, bankad',
          'kvartssammansättning',
          null,
        ),
        6,
      ],
      [
        u(
          126,
          'Gabbro',
          `${SK}, mafisk intrusivbergart 1,88-1,86 miljarder år`,
          'Null:okänt',
          'Massformig',
          'pyroxen-plagioklassammansättning',
          'basisk',
        ),
        6,
      ],
      [
        u(
          104,
          'Gnejs',
          `${SK}, sedimentär bergart, metamorf, och migmatit 1,91-1,86 miljarder år`,
          'Null:okänt',
          'Metamorf, gnejsig, migmatitisk',
          QFG,
          null,
        ),
        10,
      ],
    ],
  },
  sveconorwegian: {
    tectonic: SN,
    units: [
      [
        u(
          131,
          'Granitisk gnejs',
          `${SN}, intrusivbergart, metamorf 1,71-1,66 miljarder år`,
          'Null:okänt',
          'Metamorf, gnejsig',
          QFG,
          'sur',
        ),
        30,
      ],
      [
        u(
          132,
          'Gnejs',
          `${SN}, sedimentär bergart, metamorf, och migmatit 1,6-1,5 miljarder år`,
          'Stora Le-Marstrandformationen',
          'Metamorf, gnejsig, migmatitisk',
          QFG,
          null,
        ),
        20,
      ],
      [
        u(
          133,
          'Granit',
          `${SN}, intrusivbergart 0,93-0,92 miljarder år`,
          'Bohusgranit',
          'Massformig',
          QFG,
          'sur',
        ),
        16,
      ],
      [
        u(
          134,
          'Kvartsmonzodiorit',
          `${SN}, intrusivbergart, metamorf 1,59-1,55 miljarder år`,
          'Null:okänt',
          'Metamorf, folierad',
          null,
          'intermediär',
        ),
        8,
      ],
      [
        u(
          135,
          'Amfibolit',
          `${SN}, mafisk intrusivbergart, metamorf`,
          'Null:okänt',
          'Metamorf, folierad',
          'hornblände-plagioklassammansättning',
          'basisk',
        ),
        6,
      ],
    ],
  },
  caledonides: {
    tectonic: KAL,
    units: [
      [
        u(
          141,
          'Glimmerskiffer',
          `${KAL}, sedimentär bergart, metamorf (Köliskollan) 0,5-0,43 miljarder år`,
          'Köliskollan',
          'Metamorf, skiffrig',
          QFG,
          null,
        ),
        28,
      ],
      [
        u(
          142,
          'Fyllit',
          `${KAL}, sedimentär bergart, metamorf 0,6-0,43 miljarder år`,
          'Null:okänt',
          'Metamorf, skiffrig',
          QFG,
          null,
        ),
        16,
      ],
      [
        u(
          143,
          'Amfibolit',
          `${KAL}, mafisk bergart, metamorf (Seveskollan)`,
          'Seveskollan',
          'Metamorf, folierad',
          'hornblände-plagioklassammansättning',
          'basisk',
        ),
        14,
      ],
      [
        u(
          144,
          'Kvartsit',
          `${KAL}, sedimentär bergart, metamorf (Särvskollan)`,
          'Särvskollan',
          'Metamorf, bankad',
          'kvartssammansättning',
          null,
        ),
        12,
      ],
      [
        u(
          145,
          'Metagråvacka',
          `${KAL}, sedimentär bergart, metamorf 0,6-0,43 miljarder år`,
          'Null:okänt',
          'Metamorf, folierad',
          QFG,
          null,
        ),
        10,
      ],
      [
        u(
          146,
          'Granit',
          'Transskandinaviska magmatiska bältet, intrusivbergart 1,81-1,76 miljarder år (fönster under skollorna)',
          'Null:okänt',
          'Massformig',
          QFG,
          'sur',
        ),
        8,
      ],
    ],
  },
  skane_sed: {
    tectonic: SED,
    units: [
      [
        u(
          151,
          'Kalksten',
          'Fanerozoisk sedimentär bergart (kalksten), danien 66-61 miljoner år',
          'Danskalksten',
          'Sedimentär, lagrad',
          'kalcitsammansättning',
          null,
        ),
        40,
      ],
      [
        u(
          152,
          'Sandsten',
          'Fanerozoisk sedimentär bergart (sandsten), krita 100-66 miljoner år',
          'Null:okänt',
          'Sedimentär, lagrad',
          'kvartssammansättning',
          null,
        ),
        20,
      ],
      [
        u(
          153,
          'Lerskiffer',
          'Fanerozoisk sedimentär bergart (lerskiffer), silur 444-419 miljoner år',
          'Null:okänt',
          'Sedimentär, skiffrig',
          null,
          null,
        ),
        16,
      ],
      [
        u(
          154,
          'Lersten',
          'Fanerozoisk sedimentär bergart (lersten), jura 201-145 miljoner år',
          'Null:okänt',
          'Sedimentär, lagrad',
          null,
          null,
        ),
        12,
      ],
    ],
  },
  gotland: {
    tectonic: SED,
    units: [
      [GOTLAND_LIMESTONE, 60],
      [GOTLAND_MARL, 30],
    ],
  },
  // Southernmost Gotland (Burgsvik): the island's only sandstone.
  gotland_south: {
    tectonic: SED,
    units: [
      [
        u(
          163,
          'Sandsten',
          'Fanerozoisk sedimentär bergart (sandsten), silur 425-423 miljoner år',
          'Burgsviksformationen',
          'Sedimentär, lagrad',
          'kvartssammansättning',
          null,
        ),
        40,
      ],
      [GOTLAND_MARL, 30],
      [GOTLAND_LIMESTONE, 30],
    ],
  },
  oland: {
    tectonic: SED,
    units: [
      [
        u(
          171,
          'Kalksten',
          'Fanerozoisk sedimentär bergart (kalksten), ordovicium 485-443 miljoner år',
          'Null:okänt',
          'Sedimentär, lagrad',
          'kalcitsammansättning',
          null,
        ),
        65,
      ],
      [
        u(
          172,
          'Lerskiffer',
          'Fanerozoisk sedimentär bergart (alunskiffer), kambrium 500-485 miljoner år',
          'Alunskiffer',
          'Sedimentär, skiffrig',
          null,
          null,
        ),
        15,
      ],
      [
        u(
          173,
          'Sandsten',
          'Fanerozoisk sedimentär bergart (sandsten), kambrium 541-509 miljoner år',
          'Null:okänt',
          'Sedimentär, lagrad',
          'kvartssammansättning',
          null,
        ),
        15,
      ],
    ],
  },
};

/** The Norwegian border's longitude by latitude (piecewise, coarse); the Caledonian front lies east of it. */
const BORDER: ReadonlyArray<[number, number]> = [
  [61.0, 12.3],
  [62.0, 12.2],
  [63.0, 12.2],
  [64.0, 13.9],
  [65.0, 14.3],
  [66.0, 15.2],
  [67.0, 16.3],
  [68.0, 18.0],
  [68.5, 19.5],
  [69.1, 20.6],
];

function borderLon(lat: number): number {
  if (lat <= BORDER[0]![0]) return BORDER[0]![1];
  for (let i = 1; i < BORDER.length; i++) {
    const [la1, lo1] = BORDER[i]!;
    const [la0, lo0] = BORDER[i - 1]!;
    if (lat <= la1) return lo0 + ((lat - la0) / (la1 - la0)) * (lo1 - lo0);
  }
  return BORDER[BORDER.length - 1]![1];
}

/** West of this longitude, north of 61.5° N: the Caledonian mountain belt (about 60–80 km wide). */
export const inCaledonides = (lat: number, lon: number): boolean => lat >= 61.5 && lon < borderLon(lat) + 1.0;

function countyOf(m: MunicipalityRecord | null): string {
  return m?.countyCode ?? '';
}

/** The bedrock region of a point. */
export function bedrockRegion(lat: number, lon: number): string {
  const m = landMask().municipalityAt(lat, lon);
  const code = m?.code ?? '';
  if (code === '0980') return lat < 57.15 ? 'gotland_south' : 'gotland';
  if (code === '0840' || code === '0885') return 'oland';
  if (countyOf(m) === '12' && (lat < 55.72 || (lat < 55.98 && lon < 13.9))) return 'skane_sed';
  if (inCaledonides(lat, lon)) return 'caledonides';
  if (lat >= 65.5) return 'norrbotten';
  if (lat >= 56.3 && lat < 59.9 && lon < 13.6) return 'sveconorwegian';
  if (lat >= 59.2 && lat < 61.0 && lon >= 14.0 && lon < 16.8) return 'bergslagen';
  return 'svecokarelian';
}

/** The soil region of a point on the 25k map (south of 65.1° N). */
export function soilRegion(lat: number, lon: number): string {
  const m = landMask().municipalityAt(lat, lon);
  const code = m?.code ?? '';
  const county = countyOf(m);
  if (code === '0980') return 'gotland';
  if (code === '0840' || code === '0885') return 'oland';
  if (county === '12') return 'skane';
  const plain = ['01', '03', '04', '05', '18', '19'].includes(county) && lat < 60.6;
  const westPlain = county === '14' && (lon >= 12.0 ? lat >= 57.9 && lat < 59.0 : lat < 58.4);
  if (plain || westPlain) return 'clayplain';
  if (['06', '07', '08', '10', '13'].includes(county) || (county === '14' && lat < 57.9)) return 'highland';
  if (lat < 62.0) return 'central';
  return 'norrland';
}

/** The 250k map's region of a point. */
export const soilRegion250 = (lat: number, lon: number): string =>
  inCaledonides(lat, lon) ? 'mountain250' : lat >= 61.0 ? 'north250' : 'south250';

const SOIL_NOISE = seedOf('sgu:soil-noise');
const BEDROCK_NOISE = seedOf('sgu:bedrock-noise');

/**
 * Picks from weighted classes with a per-class noise field, so a class is common in patches and rare
 * between them: `scale` is the patch size in degrees of latitude.
 */
function patchyPick<T>(
  cellSeed: number,
  lat: number,
  lon: number,
  items: ReadonlyArray<[T, number]>,
  noiseSeed: number,
  scale: number,
): T {
  const weights = items.map(([, w], i) => {
    const field = valueNoise(noiseSeed + i * 7919, lon / (scale * 2), lat / scale);
    return w * (0.15 + 2.2 * field * field);
  });
  return pickWeighted(
    unit(cellSeed),
    items.map(([v]) => v),
    weights,
  );
}

/** A soil class (jg2 code) for a map cell. */
export function soilAt(cellSeed: number, lat: number, lon: number, map: '25k' | '250k'): number {
  const region = map === '25k' ? soilRegion(lat, lon) : soilRegion250(lat, lon);
  const table = SOIL_WEIGHTS[region]!;
  const items = Object.entries(table).map(([k, w]): [number, number] => [Number(k), w]);
  let code = patchyPick(cellSeed, lat, lon, items, SOIL_NOISE, map === '25k' ? 0.06 : 0.3);
  // Towns: fill (Fyllning) near the centre of the former cities (SCB codes xx80–xx99).
  const m = landMask().municipalityAt(lat, lon);
  if (map === '25k' && m && Number(m.code.slice(2)) >= 80) {
    const dLat = (lat - m.centroid.latitude) * 110.6;
    const dLon = (lon - m.centroid.longitude) * 111.3 * Math.cos((lat * Math.PI) / 180);
    if (dLat * dLat + dLon * dLon < 9 && unit(cellSeed, 1) < 0.35) code = 200;
  }
  return code;
}

/** A bedrock unit and its tectonic unit for a map cell. */
export function bedrockAt(
  cellSeed: number,
  lat: number,
  lon: number,
): { unit: BedrockUnit; tectonic: string } {
  const region = BEDROCK[bedrockRegion(lat, lon)]!;
  return {
    unit: patchyPick(cellSeed, lat, lon, region.units, BEDROCK_NOISE, 0.25),
    tectonic: region.tectonic,
  };
}

/** The list of municipality records in code order (what station and well numbering follow). */
export const municipalitiesInOrder = (): MunicipalityRecord[] => [...geography().municipalities.values()];

/**
 * Ground elevation (m above sea level, RH 2000), a synthetic terrain model: low along the coasts,
 * rising inland to the South Swedish Highlands and towards the mountains in the north-west.
 */
export function groundElevation(lat: number, lon: number, u1: number): number {
  let base: number;
  if (lat >= 60.5) {
    // The Bothnian coast runs from ≈17.3° E (60.5° N) to ≈22° E (65.8° N); land rises westwards.
    const coastLon = lat < 65.8 ? 17.3 + ((lat - 60.5) / 5.3) * 4.7 : 22 + (lat - 65.8) * 0.8;
    const inlandKm = Math.max(0, (coastLon - lon) * 111.3 * Math.cos((lat * Math.PI) / 180));
    base = 8 + Math.min(650, inlandKm * 1.7);
  } else {
    const highland = 260 * Math.exp(-(((lat - 57.3) / 0.9) ** 2 + ((lon - 14.4) / 1.3) ** 2));
    const westUp = lat > 59.2 ? Math.max(0, (13.5 - lon) * 60) : 0;
    base = 12 + highland + westUp + (lat > 59.8 ? (lat - 59.8) * 70 : 0);
  }
  return Math.max(2, base * (0.75 + 0.5 * u1));
}
