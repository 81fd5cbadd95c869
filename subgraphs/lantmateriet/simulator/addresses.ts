import { distanceToBBoxKm, pointInPolygon } from '../../../kit/geo.ts';
import { seededRandom } from '../../../kit/simulator.ts';
import type { MunicipalityRecord } from '../../../kit/sweden.ts';
import { type Sweref, toSweref, toWgs84 } from '../coords.ts';
import type { SimGeography } from './geography.ts';
import type { PlaceNameRegister } from './names.ts';
import { between, fold, hash2, pick, uuidFrom } from './util.ts';

/**
 * SYNTHETIC addresses for the simulated Belägenhetsadress Direkt v4.2. Real addresses are personal
 * data under Lantmäteriet's terms and are never embedded: every street, number, postcode and point
 * here is made up by deterministic code (seed `adress/<kommunkod>`), only the municipality (code,
 * name, outline) is real.
 *
 * Per municipality: 18–30 streets named from parts ("Björkvägen", "Kyrkogatan") around the
 * municipality's representative point (0.6–3 km out), plus one road per generated village of the
 * place-name register ("Olstorpsvägen", starting at the village). Numbers run along each street
 * (odd on one side, even on the other), some with a letter (12A, 12B). Postcodes: a 3-digit prefix
 * per municipality from its county's real postcode range (e.g. 1xx in Stockholms län, 98x in
 * Norrbotten), two more digits per street. Postal town and district are the municipality's name.
 *
 * Ids are UUID-shaped, seeded, and end in the address's position in this generator
 * (`KKKKSSSNNNNL`: kommunkod, street, number, letter), so an id can be looked up without
 * generating the whole country.
 */

/** First two postcode digits per county (Swedish postcodes are zoned roughly by region). */
const POSTCODE_PREFIXES: Record<string, readonly number[]> = {
  '01': [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
  '03': [74, 75],
  '04': [61, 63, 64],
  '05': [58, 59, 60, 61],
  '06': [55, 56, 57],
  '07': [34, 35, 36],
  '08': [38, 39, 57],
  '09': [62],
  '10': [37],
  '12': [21, 22, 23, 24, 25, 26, 27, 28, 29],
  '13': [30, 31, 43],
  '14': [40, 41, 42, 44, 45, 46, 50, 51, 52, 53, 54, 66],
  '17': [65, 66, 67, 68],
  '18': [69, 70, 71],
  '19': [72, 73],
  '20': [77, 78, 79],
  '21': [80, 81, 82],
  '22': [85, 86, 87, 88, 89],
  '23': [83, 84],
  '24': [90, 91, 92, 93],
  '25': [94, 95, 96, 97, 98],
};

const STREET_STEMS = [
  'Björk',
  'Ek',
  'Lind',
  'Lönn',
  'Alm',
  'Ask',
  'Rönn',
  'Hassel',
  'Asp',
  'Gran',
  'Tall',
  'Syren',
  'Ros',
  'Lärk',
  'Blåbärs',
  'Lingon',
  'Klöver',
  'Kyrk',
  'Skol',
  'Stations',
  'Kvarn',
  'Mölle',
  'Smed',
  'Torg',
  'Park',
  'Strand',
  'Hamn',
  'Kungs',
  'Drottning',
  'Stor',
  'Lill',
  'Ny',
  'Väster',
  'Öster',
  'Norr',
  'Söder',
  'Industri',
  'Verkstads',
  'Idrotts',
  'Sjö',
  'Berg',
  'Ängs',
  'Åkers',
  'Hag',
  'Lund',
  'Skogs',
  'Bäck',
  'Solros',
  'Tulpan',
  'Vide',
] as const;

const STREET_SUFFIXES = [
  'vägen',
  'vägen',
  'vägen',
  'gatan',
  'gatan',
  'stigen',
  'gränd',
  'backen',
  'allén',
  'slingan',
] as const;

/** One street of the generator. */
export interface Street {
  kommunkod: string;
  index: number;
  name: string;
  /** The name in lower case (what searches compare). */
  key: string;
  /** Five-digit postcode. */
  postnummer: number;
  start: Sweref;
  /** Direction in radians from north, clockwise. */
  bearing: number;
  /** Metres between consecutive numbers along the street. */
  spacing: number;
  count: number;
}

/** One address (a number, maybe with a letter, on a street). */
export interface SimAddress {
  id: string;
  street: Street;
  number: number;
  letter: string | null;
  point: Sweref;
  municipality: MunicipalityRecord;
}

const LETTERS = [null, 'A', 'B'] as const;

function letterVariants(street: Street, number: number): ReadonlyArray<string | null> {
  return hash2(Number(street.kommunkod) * 1000 + street.index, number, 7) < 0.07 ? ['A', 'B'] : [null];
}

function addressId(street: Street, number: number, letter: string | null): string {
  const tail = `${street.kommunkod}${String(street.index).padStart(3, '0')}${String(number).padStart(4, '0')}${letter === null ? 0 : letter === 'A' ? 1 : 2}`;
  const seeded = uuidFrom(`adress/${tail}`);
  return `${seeded.slice(0, 24)}${tail}`;
}

function pointOf(street: Street, number: number, letter: string | null): Sweref {
  const along = Math.floor((number - 1) / 2) * street.spacing + (letter === 'B' ? 6 : 0);
  const side = number % 2 === 1 ? -9 : 9;
  const s = Math.sin(street.bearing);
  const c = Math.cos(street.bearing);
  return {
    e: Math.round((street.start.e + along * s + side * c) * 1000) / 1000,
    n: Math.round((street.start.n + along * c - side * s) * 1000) / 1000,
  };
}

export interface AddressRegister {
  streets(kommunkod: string): readonly Street[];
  /** The addresses of a street, in number order. */
  addressesOf(street: Street): SimAddress[];
  byId(id: string): SimAddress | null;
  /** Free-text search (every word must match); in municipality and street order. */
  search(text: string, options: { kommunkod?: string | undefined; maxHits: number }): SimAddress[];
  nearest(point: Sweref): SimAddress | null;
}

/** "Olstorp" → "Olstorpsvägen", "Björkby" → "Björkbyvägen". */
function villageRoad(village: string): string {
  return /[aeiouyåäö]$/i.test(village) || village.endsWith('s') ? `${village}vägen` : `${village}svägen`;
}

export function createAddressRegister(geo: SimGeography, names: PlaceNameRegister): AddressRegister {
  const cache = new Map<string, Street[]>();
  const words = new Map<string, string[]>();
  const placeWords = (m: MunicipalityRecord): string[] => {
    let list = words.get(m.code);
    if (!list) {
      list = fold(m.name).split(/[\s-]+/);
      words.set(m.code, list);
    }
    return list;
  };

  function streets(kommunkod: string): Street[] {
    const cached = cache.get(kommunkod);
    if (cached) return cached;
    const m = geo.municipality(kommunkod);
    if (!m) return [];
    const rand = seededRandom(`adress/${kommunkod}`);
    const prefixes = POSTCODE_PREFIXES[m.countyCode] ?? [10];
    const p3 = pick(rand, prefixes) * 10 + between(rand, 0, 9);
    const center = toSweref(m.centroid.latitude, m.centroid.longitude);
    const list: Street[] = [];
    const used = new Set<string>();
    const count = between(rand, 18, 30);
    for (let i = 0; list.length < count && i < count * 5; i++) {
      const name = `${pick(rand, STREET_STEMS)}${pick(rand, STREET_SUFFIXES)}`;
      const bearing = rand() * 2 * Math.PI;
      const radius = 600 + rand() * 2400;
      let start = center;
      for (let t = 0; t < 20; t++) {
        const angle = rand() * 2 * Math.PI;
        const candidate = { n: center.n + radius * Math.cos(angle), e: center.e + radius * Math.sin(angle) };
        const w = toWgs84(candidate);
        if (pointInPolygon(m.geometry, w.longitude, w.latitude)) {
          start = candidate;
          break;
        }
      }
      const postnummer = p3 * 100 + between(rand, 20, 89);
      const spacing = between(rand, 14, 30);
      const numbers = between(rand, 4, 42);
      if (used.has(name)) continue;
      used.add(name);
      list.push({
        kommunkod,
        index: list.length,
        name,
        key: fold(name),
        postnummer,
        start: { n: Math.round(start.n), e: Math.round(start.e) },
        bearing,
        spacing,
        count: numbers,
      });
    }
    // One road per generated village (Bebyggelse) of the place-name register, from the village out.
    const villages = names
      .inMunicipality(kommunkod)
      .filter((e) => !e.real && e.type === 'Bebyggelse')
      .slice(0, 12);
    for (const village of villages) {
      const name = villageRoad(village.name);
      if (used.has(name)) continue;
      used.add(name);
      list.push({
        kommunkod,
        index: list.length,
        name,
        key: fold(name),
        postnummer: p3 * 100 + between(rand, 90, 99),
        start: village.placements[0]!,
        bearing: rand() * 2 * Math.PI,
        spacing: between(rand, 40, 90),
        count: between(rand, 3, 24),
      });
    }
    cache.set(kommunkod, list);
    return list;
  }

  /** The (number, letter) slots of a street, without ids or points (cheap to scan). */
  function slots(street: Street): Array<{ number: number; letter: string | null }> {
    const out: Array<{ number: number; letter: string | null }> = [];
    for (let number = 1; number <= street.count; number++) {
      for (const letter of letterVariants(street, number)) out.push({ number, letter });
    }
    return out;
  }

  function address(street: Street, number: number, letter: string | null): SimAddress {
    return {
      id: addressId(street, number, letter),
      street,
      number,
      letter,
      point: pointOf(street, number, letter),
      municipality: geo.municipality(street.kommunkod)!,
    };
  }

  function addressesOf(street: Street): SimAddress[] {
    return slots(street).map(({ number, letter }) => address(street, number, letter));
  }

  return {
    streets,
    addressesOf,
    byId(id) {
      const m = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-(\d{4})(\d{3})(\d{4})([0-2])$/i.exec(
        id,
      );
      if (!m) return null;
      const [, kommunkod, s, n, l] = m as unknown as [string, string, string, string, string];
      const street = streets(kommunkod)[Number(s)];
      if (!street) return null;
      const number = Number(n);
      const letter = LETTERS[Number(l)] ?? null;
      if (number < 1 || number > street.count || !letterVariants(street, number).includes(letter))
        return null;
      const found = address(street, number, letter);
      return found.id.toLowerCase() === id.toLowerCase() ? found : null;
    },
    search(text, { kommunkod, maxHits }) {
      const raw = fold(text)
        .split(/[\s,]+/)
        .filter((t) => t !== '');
      // "187 53" is one postcode written with its space.
      const tokens: string[] = [];
      for (let i = 0; i < raw.length; i++) {
        const t = raw[i]!;
        const next = raw[i + 1];
        if (/^\d{3}$/.test(t) && next !== undefined && /^\d{2}$/.test(next)) {
          tokens.push(t + next);
          i++;
        } else tokens.push(t);
      }
      const words = tokens.filter((t) => !/^\d/.test(t));
      const numbers = tokens.filter((t) => /^\d/.test(t));
      const municipalities = kommunkod
        ? [geo.municipality(kommunkod)].filter((m): m is MunicipalityRecord => m !== undefined)
        : geo.municipalities;
      const out: SimAddress[] = [];
      for (const m of municipalities) {
        const place = placeWords(m);
        // Words that match the municipality need not match the street.
        const rest = words.filter((w) => !place.some((v) => v.startsWith(w)));
        for (const street of streets(m.code)) {
          if (!rest.every((w) => street.key.startsWith(w))) continue;
          const post = String(street.postnummer);
          for (const { number, letter } of slots(street)) {
            const label = `${number}${letter ?? ''}`.toLowerCase();
            // A bare number asks for that number: "12" matches 12, 12A and 12B, not 120.
            if (
              !numbers.every(
                (t) => t === label || t === String(number) || (t.length >= 3 && post.startsWith(t)),
              )
            )
              continue;
            out.push(address(street, number, letter));
            if (out.length >= maxHits) return out;
          }
        }
      }
      return out;
    },
    nearest(point) {
      let best: { street: Street; number: number; letter: string | null } | null = null;
      let bestD = Number.POSITIVE_INFINITY;
      const { latitude, longitude } = toWgs84(point);
      const candidates = geo.municipalities
        .map((m) => ({ m, km: distanceToBBoxKm(m.bbox, longitude, latitude) }))
        .sort((a, b) => a.km - b.km);
      for (const { m, km } of candidates) {
        // Streets may run a couple of km past their municipality's outline.
        if (km * 1000 - 3000 > Math.sqrt(bestD)) break;
        for (const street of streets(m.code)) {
          // Skip streets whose every number is farther than the best so far.
          const length = Math.ceil(street.count / 2) * street.spacing + 20;
          if (Math.hypot(street.start.n - point.n, street.start.e - point.e) - length > Math.sqrt(bestD))
            continue;
          for (const { number, letter } of slots(street)) {
            const p = pointOf(street, number, letter);
            const d = (p.n - point.n) ** 2 + (p.e - point.e) ** 2;
            if (d < bestD) {
              bestD = d;
              best = { street, number, letter };
            }
          }
        }
      }
      const found = best as { street: Street; number: number; letter: string | null } | null;
      return found ? address(found.street, found.number, found.letter) : null;
    },
  };
}
