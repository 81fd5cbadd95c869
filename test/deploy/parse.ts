/**
 * Small readers for the deployment files, so that the tests check what the files say rather than
 * what a comment claims: the Dockerfile (instructions, stages, exec-form JSON, ENV pairs),
 * .dockerignore (Docker's matching rules), the HAProxy configuration, Compose's `${VAR:-default}`,
 * `.env` files and multi-document YAML. Only what the deployment files use is supported.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/** One Dockerfile instruction, continuation lines joined. */
export interface Instruction {
  /** Upper case, e.g. `RUN`. */
  keyword: string;
  /** Everything after the keyword, trimmed. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

/** A build stage: its `FROM` and the instructions up to the next `FROM`. */
export interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Splits a Dockerfile into instructions: `\` continues a line, `#` lines are comments (also inside a continuation). */
export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buffer = '';
  let start = 0;
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && buffer === '')) continue;
    if (buffer === '') start = i + 1;
    if (trimmed.endsWith('\\')) {
      buffer += `${trimmed.slice(0, -1)} `;
      continue;
    }
    buffer += trimmed;
    const m = /^([A-Za-z]+)\s*(.*)$/s.exec(buffer.trim());
    if (!m) throw new Error(`Dockerfile line ${start}: cannot read "${buffer}"`);
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
    buffer = '';
  }
  if (buffer !== '') throw new Error(`Dockerfile line ${start}: a continuation runs past the end`);
  return out;
}

/** The instructions grouped by `FROM`; instructions before the first `FROM` (ARG) are dropped. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const ins of parseInstructions(text)) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ image: words[0] ?? '', name: as >= 0 ? words[as + 1] : undefined, instructions: [] });
    } else stages.at(-1)?.instructions.push(ins);
  }
  return stages;
}

/** `--from=build --chown=1000 src dest` → flags and the remaining words (shell-style quoting). */
export function splitFlags(args: string): { flags: Record<string, string>; words: string[] } {
  const flags: Record<string, string> = {};
  const words: string[] = [];
  for (const word of shellWords(args)) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(word);
    if (m && words.length === 0) flags[m[1]!] = m[2] ?? 'true';
    else words.push(word);
  }
  return { flags, words };
}

/** The exec form `["node", "main.js"]`, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || parsed.some((a) => typeof a !== 'string'))
    throw new Error(`expected a JSON array of strings, got ${args}`);
  return parsed as string[];
}

/** `ENV A=1 B="two words"` (or the old `ENV A 1`) → { A: '1', B: 'two words' }. */
export function envPairs(args: string): Record<string, string> {
  const words = shellWords(args);
  if (words.length >= 1 && !words[0]!.includes('=')) {
    const [name, ...rest] = args.split(/\s+/);
    return { [name!]: rest.join(' ') };
  }
  const out: Record<string, string> = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new Error(`ENV: expected NAME=value, got "${word}"`);
    out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

/** Splits on whitespace outside quotes; removes the quotes and backslash escapes. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated quote in ${text}`);
  if (inWord) words.push(word);
  return words;
}

/**
 * Docker's .dockerignore rules: the last pattern that matches a path (or one of its parent
 * folders) decides; `!` re-includes; `*` and `?` stay within one path segment, `**` spans any
 * number of them. Returns whether a path (relative, `/`-separated) is left out of the context.
 */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { negate, re: globToRegExp(pattern) };
    });
  return (path) => {
    const parts = path.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) if (prefixes.some((p) => rule.re.test(p))) excluded = !rule.negate;
    return excluded;
  };
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      i += 1;
      if (pattern[i + 1] === '/') {
        i += 1;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** One section of an HAProxy configuration: `backend gateways` and its lines, each split into words. */
export interface HaproxySection {
  kind: string;
  name: string | undefined;
  lines: string[][];
}

const HAPROXY_SECTIONS = new Set([
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'resolvers',
  'peers',
]);

export function parseHaproxy(text: string): HaproxySection[] {
  const sections: HaproxySection[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const words = line.split(/\s+/);
    if (HAPROXY_SECTIONS.has(words[0]!) && !/^\s/.test(raw)) {
      sections.push({ kind: words[0]!, name: words[1], lines: [] });
    } else {
      const current = sections.at(-1);
      if (!current) throw new Error(`HAProxy: "${line}" is outside any section`);
      current.lines.push(words);
    }
  }
  return sections;
}

/** The lines of a section that start with these words, e.g. `lines(backend, 'option', 'httpchk')`. */
export function haproxyLines(section: HaproxySection, ...start: string[]): string[][] {
  return section.lines.filter((words) => start.every((w, i) => words[i] === w));
}

/**
 * What Compose makes of a value without the caller's environment: `${VAR:-default}` and
 * `${VAR-default}` give the default, `$$` a dollar; a `${VAR}` with no default is unknown here.
 */
export function composeValue(value: string): { known: true; value: string } | { known: false } {
  let known = true;
  const out = value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (m, _name, op, def) => {
    if (m === '$$') return '$';
    if (op === undefined) {
      known = false;
      return '';
    }
    return def as string;
  });
  return known ? { known: true, value: out } : { known: false };
}

/** `NAME=value` lines of an env file (kustomize's `envs:`), comments and blank lines skipped. */
export function envFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`line ${i + 1}: expected NAME=value, got "${line}"`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** Every YAML document of a file (`---` separated), failing on any syntax error. */
export function yamlDocuments(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}
