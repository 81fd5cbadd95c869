import type { AdComps, Corpus, SimAd } from './corpus.ts';
import { prefixMatches, tokenize, wordMatches } from './text.ts';

/**
 * JobSearch's free text (`q`), as its open-source query builder (1.16.0, `querybuilder.py`) does it:
 * - `"a phrase"`, `+"must phrase"`, `-"excluded phrase"`; `+word` must, `-word` must not;
 *   `prefix*` and `*suffix` must;
 * - "smart free text": words the ontology knows are concepts — an occupation, a skill or a location —
 *   and each concept type with concepts must match one of them (`ingenjör jönköping` = an engineer
 *   AND in Jönköping); other words are OR'ed (or AND'ed with `x-feature-freetext-bool-method: and`)
 *   over headline, description, employer and place;
 * - plain phrases only count when nothing else is required.
 * Our ontology is the simulator's vocabulary: the occupation and skill labels and the place names.
 */

export type ConceptType = 'occupation' | 'skill' | 'location';
const CONCEPT_TYPES: readonly ConceptType[] = ['occupation', 'skill', 'location'];

interface Term {
  text: string;
  tokens: string[];
  /** `prefix*` / `*suffix`. */
  wildcard?: 'prefix' | 'suffix';
  /** Per match mode, one mask over the corpus components per token (filled on first use). */
  masks?: Partial<Record<MatchMode, Uint8Array[]>>;
}

type MatchMode = 'word' | 'prefix' | 'suffix' | 'exact';

type Sign = 'should' | 'must' | 'mustNot';
const SIGNS: readonly Sign[] = ['should', 'must', 'mustNot'];
const OCCUPATION_FIELDS = ['occupation', 'headline', 'description'] as const;
const SKILL_FIELDS = ['skill', 'headline', 'description'] as const;
const WORD_FIELDS = ['headline', 'description', 'employer', 'location'] as const;

/**
 * No concepts: every list empty. (JobSearch 1.16.0 sent `{}` without `q`; the recorded answer has
 * all nine lists, and clients that read them get the same shape either way.)
 */
export function noConcepts(): FreetextConcepts {
  return {
    skill: [],
    occupation: [],
    location: [],
    skill_must: [],
    occupation_must: [],
    location_must: [],
    skill_must_not: [],
    occupation_must_not: [],
    location_must_not: [],
  };
}

/** JobSearch's `freetext_concepts` answer member. */
export type FreetextConcepts = Record<
  | 'skill'
  | 'occupation'
  | 'location'
  | 'skill_must'
  | 'occupation_must'
  | 'location_must'
  | 'skill_must_not'
  | 'occupation_must_not'
  | 'location_must_not',
  string[]
>;

export interface FreetextOptions {
  /** `qfields`: restrict the concept types (default: all). */
  qfields?: readonly string[] | undefined;
  /** `x-feature-freetext-bool-method`. */
  method: 'and' | 'or';
  /** `x-feature-disable-smart-freetext`. */
  disableSmart: boolean;
}

/** A compiled `q`: `score(ad)` is null for no match, else a relevance score > 0. */
export interface Freetext {
  concepts: FreetextConcepts;
  /** Null for no match. Phrases need the ad's text: `text(ad)` is called only then. */
  score(ad: SimAd, text: (ad: SimAd) => string): number | null;
}

/** Boosts of JobSearch's free-text fields (`headline^3`, `employer^2`, `location^5`, description 1; concepts 10). */
const WEIGHT = { headline: 3, description: 1, employer: 2, location: 5, concept: 10 } as const;

/** Splits the phrases out (as `extract_quoted_phrases`): returns them by sign and the rest of the text. */
function extractPhrases(q: string): { phrases: Record<Sign, string[]>; rest: string } {
  let text = q
    .split(/[\s,]+/)
    .map((w) => w.replace(/^[,!?:;']+|[,!?:;']+$/g, ''))
    .join(' ');
  if ((text.match(/"/g)?.length ?? 0) % 2 !== 0) text += '"';
  const phrases: Record<Sign, string[]> = { should: [], must: [], mustNot: [] };
  text = text.replace(/([+-]?)"([^"]+)"/g, (_, sign: string, phrase: string) => {
    const p = phrase.trim();
    if (p) phrases[sign === '+' ? 'must' : sign === '-' ? 'mustNot' : 'should'].push(p);
    return ' ';
  });
  return { phrases, rest: text.replace(/\s+/g, ' ').trim() };
}

/** Compiles `q` against the corpus vocabulary. */
export function compileFreetext(q: string, corpus: Corpus, options: FreetextOptions): Freetext {
  const index = corpus.text();
  const { phrases, rest } = extractPhrases(q.toLowerCase());
  const raw = rest.split(' ').filter((w) => w !== '' && w !== '+' && w !== '-');
  const concepts: Record<ConceptType, Record<Sign, Term[]>> = {
    occupation: { should: [], must: [], mustNot: [] },
    skill: { should: [], must: [], mustNot: [] },
    location: { should: [], must: [], mustNot: [] },
  };
  const words: Record<Sign, Term[]> = { should: [], must: [], mustNot: [] };
  const wildcards: Term[] = [];
  const allowed = new Set(options.qfields && options.qfields.length > 0 ? options.qfields : CONCEPT_TYPES);

  const signOf = (w: string): [Sign, string] =>
    w.startsWith('+') ? ['must', w.slice(1)] : w.startsWith('-') ? ['mustNot', w.slice(1)] : ['should', w];

  for (let i = 0; i < raw.length; i++) {
    const [sign, body] = signOf(raw[i]!);
    if (body.endsWith('*') || body.startsWith('*')) {
      const stem = body.replace(/^\*+|\*+$/g, '');
      if (stem)
        wildcards.push({
          text: stem,
          tokens: tokenize(stem),
          wildcard: body.endsWith('*') ? 'prefix' : 'suffix',
        });
      continue;
    }
    if (!options.disableSmart) {
      // Place names of up to three words ("upplands väsby", "stockholms län").
      let placed = false;
      for (let n = Math.min(3, raw.length - i); n >= 1 && !placed; n--) {
        const phrase = [body, ...raw.slice(i + 1, i + n).map((w) => signOf(w)[1])].join(' ');
        if (index.vocab.locations.has(phrase)) {
          if (allowed.has('location'))
            concepts.location[sign].push({ text: phrase, tokens: tokenize(phrase) });
          i += n - 1;
          placed = true;
        }
      }
      if (placed) continue;
    }
    const tokens = tokenize(body);
    if (tokens.length === 0) continue;
    const term = { text: body, tokens };
    const known = (vocabulary: ReadonlySet<string>) =>
      tokens.every((t) => {
        for (const w of vocabulary) if (wordMatches(t, w)) return true;
        return false;
      });
    if (!options.disableSmart && known(index.vocab.occupationWords)) {
      // Concepts of a type not in `qfields` are dropped, as JobSearch removes every concept from the text.
      if (allowed.has('occupation')) concepts.occupation[sign].push(term);
    } else if (!options.disableSmart && known(index.vocab.skillWords)) {
      if (allowed.has('skill')) concepts.skill[sign].push(term);
    } else words[sign].push(term);
  }

  // Per-word masks over the corpus components, computed once per query.
  const maskCache = new Map<string, Uint8Array>();
  const maskOf = (token: string, mode: MatchMode): Uint8Array => {
    const key = `${mode}:${token}`;
    let mask = maskCache.get(key);
    if (!mask) {
      mask = new Uint8Array(index.words.length);
      const test =
        mode === 'prefix'
          ? (w: string) => prefixMatches(token, w)
          : mode === 'suffix'
            ? (w: string) => w.endsWith(token)
            : mode === 'exact'
              ? (w: string) => w === token
              : (w: string) => wordMatches(token, w);
      index.words.forEach((list, i) => {
        if (list.some(test)) mask![i] = 1;
      });
      maskCache.set(key, mask);
    }
    return mask;
  };
  const inField = (comps: readonly number[], term: Term, mode: MatchMode = 'word'): boolean => {
    const masks = term.masks?.[mode] ?? masksOf(term, mode);
    for (const mask of masks) {
      let found = false;
      for (const c of comps) {
        if (mask[c] === 1) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  };

  const masksOf = (term: Term, mode: MatchMode): Uint8Array[] => {
    term.masks ??= {};
    const known = term.masks[mode];
    if (known) return known;
    const masks = term.tokens.map((t) => maskOf(t, mode));
    term.masks[mode] = masks;
    return masks;
  };
  // Masks up front: the per-ad loop below then only reads typed arrays.
  for (const type of CONCEPT_TYPES)
    for (const sign of SIGNS) for (const t of concepts[type][sign]) masksOf(t, 'word');
  for (const sign of SIGNS) for (const t of words[sign]) masksOf(t, 'word');
  for (const t of wildcards) masksOf(t, t.wildcard ?? 'word');

  type FieldName = keyof AdComps;
  /** Score of one term over some fields; 0 when it matches none. */
  const termScore = (
    ad: SimAd,
    term: Term,
    fields: readonly FieldName[],
    conceptField?: FieldName,
  ): number => {
    let score = 0;
    for (const f of fields) {
      if (inField(ad.comps[f], term))
        score += f === conceptField ? WEIGHT.concept : WEIGHT[f as keyof typeof WEIGHT];
    }
    return score;
  };
  const conceptScore = (ad: SimAd, type: ConceptType, term: Term): number => {
    if (type === 'location') return ad.keys.location.includes(term.text) ? WEIGHT.concept : 0;
    return type === 'occupation'
      ? termScore(ad, term, OCCUPATION_FIELDS, 'occupation')
      : termScore(ad, term, SKILL_FIELDS, 'skill');
  };
  const wordScore = (ad: SimAd, term: Term): number => {
    let score = termScore(ad, term, WORD_FIELDS);
    if (ad.id === term.text || ad.externalId?.toLowerCase() === term.text) score += WEIGHT.headline;
    return score;
  };
  const wildcardScore = (ad: SimAd, term: Term): number => {
    let score = 0;
    if (inField(ad.comps.headline, term, term.wildcard)) score += WEIGHT.headline;
    if (inField(ad.comps.description, term, term.wildcard)) score += WEIGHT.description;
    return score;
  };
  const phraseMasks = new Map<string, Uint8Array[]>();
  const anyComp = (comps: readonly number[], mask: Uint8Array) => {
    for (const c of comps) if (mask[c] === 1) return true;
    return false;
  };
  /** Every word of the phrase is in the headline or the description: the cheap check before the text one. */
  const phraseTokensPresent = (ad: SimAd, phrase: string) => {
    let masks = phraseMasks.get(phrase);
    if (!masks) {
      masks = tokenize(phrase).map((t) => maskOf(t, 'exact'));
      phraseMasks.set(phrase, masks);
    }
    return masks.every((m) => anyComp(ad.comps.headline, m) || anyComp(ad.comps.description, m));
  };

  const hasPhrases = phrases.mustNot.length + phrases.must.length + phrases.should.length > 0;
  const requiredElsewhere =
    CONCEPT_TYPES.some((t) => concepts[t].should.length + concepts[t].must.length > 0) ||
    words.should.length + words.must.length + wildcards.length + phrases.must.length > 0;

  const freetextConcepts: FreetextConcepts = {
    skill: concepts.skill.should.map((t) => t.text),
    occupation: concepts.occupation.should.map((t) => t.text),
    location: concepts.location.should.map((t) => t.text),
    skill_must: concepts.skill.must.map((t) => t.text),
    occupation_must: concepts.occupation.must.map((t) => t.text),
    location_must: concepts.location.must.map((t) => t.text),
    skill_must_not: concepts.skill.mustNot.map((t) => t.text),
    occupation_must_not: concepts.occupation.mustNot.map((t) => t.text),
    location_must_not: concepts.location.mustNot.map((t) => t.text),
  };

  return {
    concepts: freetextConcepts,
    score(ad, textOf) {
      // Plain loops, no closures per ad: this runs for every ad of every free-text search.
      let score = 0;
      for (const type of CONCEPT_TYPES) {
        const c = concepts[type];
        for (const t of c.mustNot) if (conceptScore(ad, type, t) > 0) return null;
        for (const t of c.must) {
          const s = conceptScore(ad, type, t);
          if (s === 0) return null;
          score += s;
        }
        if (c.should.length > 0) {
          let sum = 0;
          for (const t of c.should) sum += conceptScore(ad, type, t);
          if (sum === 0) return null;
          score += sum;
        }
      }
      for (const t of words.mustNot) if (wordScore(ad, t) > 0) return null;
      for (const t of words.must) {
        const s = wordScore(ad, t);
        if (s === 0) return null;
        score += s;
      }
      if (words.should.length > 0) {
        let hits = 0;
        for (const t of words.should) {
          const s = wordScore(ad, t);
          if (s > 0) hits++;
          score += s;
        }
        // With required words elsewhere, JobSearch also lets those satisfy the "should" group.
        if ((options.method === 'and' ? hits < words.should.length : hits === 0) && words.must.length === 0)
          return null;
      }
      for (const t of wildcards) {
        const s = wildcardScore(ad, t);
        if (s === 0) return null;
        score += s;
      }
      if (hasPhrases) {
        const text: { value?: string } = {};
        const has = (p: string): boolean => {
          if (!phraseTokensPresent(ad, p)) return false;
          text.value ??= textOf(ad);
          return text.value.includes(p);
        };
        for (const p of phrases.mustNot) if (has(p)) return null;
        for (const p of phrases.must) {
          if (!has(p)) return null;
          score += WEIGHT.headline;
        }
        let matched = 0;
        for (const p of phrases.should) if (has(p)) matched++;
        if (phrases.should.length > 0 && !requiredElsewhere && matched === 0) return null;
        score += matched * WEIGHT.headline;
      }
      return Math.max(score, 1);
    },
  };
}
