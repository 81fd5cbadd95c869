/**
 * Words: how the simulator tokenizes and matches Swedish text, the parts synthetic employer and
 * street names are built from, and the sentence templates of synthetic headlines and descriptions.
 * Everything here is our own (synthetic); the values it is combined with (occupations, places) are real.
 */

/** Lower-cases (Swedish letters included) and splits on anything that is not a letter or digit. */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== '');
}

/**
 * Does a query word match a word of an ad? Equal, or (for words of three letters or more) the ad's
 * word starts or ends with it: Swedish compounds put the head last, so "utvecklare" finds
 * "mjukvaruutvecklare" and "backend-utvecklare" — our stand-in for JobSearch's concept enrichment.
 */
export function wordMatches(term: string, word: string): boolean {
  if (word === term) return true;
  return term.length >= 3 && (word.startsWith(term) || word.endsWith(term));
}

/** `prefix*`: the ad's word starts with the prefix. */
export function prefixMatches(prefix: string, word: string): boolean {
  return word.startsWith(prefix);
}

/** Phrases that make an ad "remote" (JobSearch's `remote=true` phrase matching, reference §1.2). */
export const REMOTE_PHRASES = ['arbeta på distans', 'jobba hemifrån', 'remote work'] as const;

export function isRemoteText(text: string): boolean {
  const lower = text.toLowerCase();
  return REMOTE_PHRASES.some((p) => lower.includes(p));
}

/** HTML-escapes like JobSearch's `text_formatted` (the recorded ad shows `&` → `&amp;`). */
export function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Synthetic employer names: a place-like prefix + a trade word of the occupation field + a suffix. */
export const EMPLOYER_PREFIXES = [
  'Norr',
  'Söder',
  'Väst',
  'Öster',
  'Mälar',
  'Vänern',
  'Göta',
  'Svea',
  'Fjäll',
  'Ekback',
  'Björk',
  'Lind',
  'Sten',
  'Sjö',
  'Älv',
  'Bergs',
  'Dal',
  'Strand',
  'Ljung',
  'Kust',
  'Ängs',
  'Nord',
  'Mitt',
  'Hav',
  'Lärk',
  'Sälg',
  'Tall',
  'Rönn',
  'Gran',
  'Hed',
] as const;

/** Trade words by the legacy id of the occupation field. */
export const EMPLOYER_TRADES: Record<string, readonly string[]> = {
  '1': ['ekonomi', 'revision', 'redovisning', 'förvaltning', 'juridik'],
  '2': ['bygg', 'entreprenad', 'anläggning', 'betong', 'hus'],
  '3': ['data', 'system', 'mjukvara', 'digital', 'nät'],
  '4': ['salong', 'spa', 'frisör'],
  '5': ['handel', 'försäljning', 'marknad', 'butik'],
  '6': ['snickeri', 'hantverk', 'möbel'],
  '7': ['restaurang', 'hotell', 'krog', 'catering'],
  '8': ['vård', 'hälsa', 'klinik', 'medicin'],
  '9': ['industri', 'verkstad', 'mekanik', 'produktion'],
  '10': ['el', 'vvs', 'installation', 'fastighet', 'drift'],
  '11': ['media', 'design', 'kommunikation', 'kultur'],
  '12': ['städ', 'miljö', 'renhållning'],
  '13': ['skog', 'trädgård', 'lantbruk'],
  '14': ['lab', 'analys', 'biotek'],
  '15': ['skola', 'förskola', 'utbildning', 'akademi'],
  '16': ['omsorg', 'assistans', 'stöd'],
  '17': ['säkerhet', 'bevakning', 'vakt'],
  '18': ['teknik', 'konsult', 'projekt', 'innovation'],
  '19': ['transport', 'logistik', 'frakt', 'åkeri'],
  '20': ['ledning', 'management', 'förvaltning'],
  '22': ['försvar', 'beredskap'],
};

export const EMPLOYER_SUFFIXES = [
  'AB',
  'AB',
  'AB',
  'AB',
  'i Sverige AB',
  'Gruppen AB',
  '& Partners AB',
  'Norden AB',
  'och Söner AB',
  'Ekonomisk förening',
] as const;

/** Synthetic street names: a common Swedish first part + a street word. */
export const STREET_FIRST = [
  'Stor',
  'Kyrko',
  'Skol',
  'Järnvägs',
  'Drottning',
  'Kungs',
  'Ängs',
  'Industri',
  'Hamn',
  'Tall',
  'Björk',
  'Sjö',
  'Park',
  'Kvarn',
  'Bruks',
  'Verkstads',
  'Torg',
  'Prästgårds',
] as const;
export const STREET_LAST = ['gatan', 'vägen', 'torget', 'backen', 'allén', 'gränd'] as const;

/** A template is a sentence with `{slots}`; its literal words are indexed for free-text search. */
export type Template = string;

/** Headline templates. Slots: {Occ} (capitalised), {occ}, {employer}, {muni}, {city}, {hours}. */
export const HEADLINES: readonly Template[] = [
  '{Occ} till {employer}',
  '{Occ} i {muni}',
  '{Occ} sökes till {city}',
  '{Occ} – {employer}',
  'Vi söker en {occ} till {employer}',
  '{Occ}, {hours}',
];

export const INTROS: readonly Template[] = [
  '{employer} söker nu en {occ} till vår verksamhet i {muni}.',
  'Vill du arbeta som {occ} hos oss på {employer}? Vi växer i {muni} och behöver förstärkning.',
  '{employer} är en arbetsgivare inom {field} med verksamhet i {city}. Nu söker vi en {occ}.',
  'Är du vår nya {occ}? Hos {employer} i {muni} får du ett omväxlande arbete i ett engagerat team.',
];

export const ROLES: readonly Template[] = [
  'Som {occ} arbetar du självständigt och i nära samarbete med dina kollegor. Arbetsuppgifterna varierar och du har goda möjligheter att påverka ditt arbete.',
  'I rollen ingår planering, genomförande och uppföljning av det dagliga arbetet. Du rapporterar till närmaste chef.',
  'Du blir en del av ett team med god stämning där vi hjälps åt och lär av varandra.',
];

/** Requirement sentences; which ones an ad has follows from its data. */
export const REQUIREMENTS = {
  experience: 'Du har erfarenhet av arbete som {occ}.',
  noExperience: 'Erfarenhet är inget krav, vi lär upp dig på plats.',
  skills: 'Du har goda kunskaper inom {skills}.',
  swedish: 'Du talar och skriver svenska obehindrat.',
  swedishEnglish: 'Du talar och skriver svenska och engelska obehindrat.',
  license: 'Körkort med behörighet {licenses} är ett krav.',
  car: 'Du har tillgång till egen bil.',
} as const;

export const OFFERS: readonly Template[] = [
  'Vi erbjuder en trygg anställning med kollektivavtal, friskvårdsbidrag och goda möjligheter till kompetensutveckling.',
  'Hos oss får du en arbetsplats med korta beslutsvägar och en ledning som satsar på sina medarbetare.',
  'Vi erbjuder introduktion, marknadsmässig lön och flexibla arbetstider.',
];

/** Each contains one of `REMOTE_PHRASES`. */
export const REMOTES: readonly Template[] = [
  'Möjlighet att arbeta på distans finns.',
  'Du kan jobba hemifrån delar av veckan.',
  'Remote work is possible for parts of the week.',
];

export const CLOSINGS: readonly Template[] = [
  'Urval sker löpande, så skicka gärna din ansökan redan i dag. Sista ansökningsdag är {deadline}.',
  'Välkommen med din ansökan senast {deadline}!',
  'Vi ser fram emot din ansökan. Tjänsten tillsätts enligt överenskommelse.',
];

export const COMPANY_INFOS: readonly Template[] = [
  '{employer} är ett företag inom {field} med verksamhet i {region}.',
  'Vi på {employer} har arbetat i {muni} i många år och är en etablerad arbetsgivare i regionen.',
];

export const SALARY_TEXTS = [
  'Fast månadslön enligt överenskommelse',
  'Individuell lönesättning',
  'Lön enligt kollektivavtal',
  'Timlön enligt avtal',
] as const;

export const APPLICATION_INFOS = [
  'Ansök via länken i annonsen.',
  'Ange referensnumret i din ansökan.',
  'Skicka ditt CV och personliga brev via e-post.',
] as const;

/** Fills `{slot}`s; a slot without a value stays empty. */
export function fill(template: Template, slots: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => slots[name] ?? '');
}

/** "Systemutvecklare/Programmerare" → "Systemutvecklare"; "Lärare i grundskolan, årskurs 4-6" → "Lärare i grundskolan". */
export function displayName(label: string): string {
  return (label.split('/')[0] ?? label).split(', ')[0]!.trim();
}

/** Lower-cases the first letter unless the word is an acronym ("IT-tekniker", "VVS-montör"). */
export function inSentence(name: string): string {
  const second = name.charAt(1);
  if (second !== '' && second === second.toUpperCase() && second !== second.toLowerCase()) return name;
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "Norrdata AB" → "norrdata": for the synthetic employers' web and mail addresses (reserved .example TLD). */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/å|ä/g, 'a')
    .replace(/ö/g, 'o')
    .replace(/é/g, 'e')
    .replace(/\b(ab|i sverige|gruppen|& partners|norden|och söner|ekonomisk förening)\b/g, '')
    .replace(/[^a-z0-9]+/g, '');
}
