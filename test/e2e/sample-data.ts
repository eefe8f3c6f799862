import { randomUUID } from 'node:crypto';
import type { Field, SystemModel } from '../../src/model/system-model.ts';
import type { RecordStore, Row } from '../../src/adapters/storage/storage.ts';

/**
 * Sample data for end-to-end tests, generated from the model alone: a valid value for any field
 * (its type, format, enum values, min/max, lengths and pattern), a value of the wrong type for
 * negative checks, and whole records inserted through storage with every record they reference
 * created first. Values of one generator never repeat where it matters (unique fields).
 *
 * @example
 * const data = new SampleData(model, storage);
 * const order = await data.record('Order', { userId: shopper.id }); // creates nothing else: customer is the shopper
 * const item = await data.record('OrderItem', { userId: shopper.id }); // creates an Order and a Product first
 */

/** How a sample record relates to an account. */
export interface RecordOptions {
  /** The account that owns it: set on every reference to the user entity (the owner field included). */
  userId?: string;
  /** Values to use instead of generated ones. */
  overrides?: Row;
}

const DAY_MS = 86_400_000;

/** Generator of valid sample values and records for one model. */
export class SampleData {
  private seq = 0;

  constructor(private readonly model: SystemModel, private readonly store: RecordStore) {}

  /** A valid value of a non-reference `field` (its default when it declares one, which handlers rely on). */
  value(field: Field): unknown {
    if (field.type === 'ref') throw new Error(`SampleData.value: ${field.name} is a reference; use record() or body()`);
    if (field.default !== undefined) return field.default;
    return this.fresh(field);
  }

  /** A valid value of a non-reference `field` that ignores its default (for updates that must change something). */
  fresh(field: Field): unknown {
    const n = ++this.seq;
    const lo = field.min ?? (field.max !== undefined ? Math.min(field.max, 0) : 0);
    const hi = field.max ?? lo + 1000;
    switch (field.type) {
      case 'string': case 'text':
        return field.pattern ? patternSample(field.pattern, n, field) : sizedText(`${field.name} sample ${n}`, field);
      case 'email': return `${field.name.toLowerCase()}-${n}-${randomUUID().slice(0, 8)}@example.com`;
      case 'url': return `https://example.com/${field.name}/${n}`;
      case 'uuid': return randomUUID();
      case 'integer': return Math.min(Math.floor(hi), Math.ceil(lo) + 1);
      case 'number': return Math.min(hi, lo + 1.5);
      case 'decimal': return Math.min(hi, lo + 12.5).toFixed(2);
      case 'boolean': return true;
      case 'timestamp': return new Date(Date.now() + DAY_MS + n * 60_000).toISOString();
      case 'date': return new Date(Date.now() + 30 * DAY_MS).toISOString().slice(0, 10);
      case 'json': return { sample: n };
      case 'enum': return field.values?.[n % field.values.length] ?? '';
    }
  }

  /** Values for `fields` as a client would send them; required references point at records created first. */
  async body(fields: readonly Field[], options: RecordOptions = {}): Promise<Row> {
    const out: Row = {};
    for (const field of fields) {
      if (field.type !== 'ref') out[field.name] = this.fresh(field);
      else if (field.required) out[field.name] = await this.reference(field, options);
    }
    return { ...out, ...(options.overrides ?? {}) };
  }

  /**
   * Inserts a record of `entity` through storage with every field set (optional references left
   * empty, so self-references end), creating the records its required references point at first.
   */
  async record(entity: string, options: RecordOptions = {}): Promise<Row> {
    const target = this.entity(entity);
    const values: Row = target.id.generate === 'client' ? { [target.id.field]: `id-${++this.seq}` } : {};
    for (const field of target.fields) {
      if (options.overrides && field.name in options.overrides) continue;
      if (field.type !== 'ref') values[field.name] = this.value(field);
      else if (field.required) values[field.name] = await this.reference(field, options);
    }
    return this.store.insert(entity, { ...values, ...(options.overrides ?? {}) });
  }

  /** The id (or, for to-many references, the ids) a reference field gets. */
  private async reference(field: Field, options: RecordOptions): Promise<unknown> {
    const ref = field.ref!;
    const id = ref.entity === this.model.api.auth.userEntity && options.userId !== undefined
      ? options.userId
      : (await this.record(ref.entity, { userId: options.userId }))[this.entity(ref.entity).id.field];
    return ref.many ? [id] : id;
  }

  private entity(name: string) {
    const found = this.model.entities.find((e) => e.name === name);
    if (!found) throw new Error(`SampleData: the model has no entity ${name}`);
    return found;
  }
}

/** Text that fits the field's length bounds. */
function sizedText(text: string, field: Field): string {
  const padded = text.padEnd(field.minLength ?? 0, 'x');
  return field.maxLength !== undefined ? padded.slice(0, field.maxLength) : padded;
}

/**
 * A JSON value of the wrong type for `field`, which its schema must reject; undefined for `json`
 * fields (any JSON is valid there).
 */
export function invalidValue(field: Field): unknown {
  if (field.type === 'json') return undefined;
  if (field.type === 'ref') return field.ref?.many ? 'not-a-list' : { id: 'not-an-id' };
  if (field.type === 'integer' || field.type === 'number') return 'not a number';
  if (field.type === 'boolean') return 'yes';
  if (field.type === 'decimal') return true;
  return 12345;
}

/**
 * A value as comparable across the wire and engines: decimals as numbers, timestamps as epoch
 * milliseconds, everything else unchanged.
 */
export function comparable(field: Field, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field.type === 'decimal' || field.type === 'number') return Number(value);
  if (field.type === 'timestamp') return Date.parse(String(value));
  return value;
}

/** One piece of a pattern: characters to pick from, or alternative sequences, repeated min..max times. */
type Atom = ({ chars: string } | { alternatives: Atom[][] }) & { min: number; max: number };

const DIGITS = '0123456789';
const WORD = `abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ${DIGITS}_`;
const ESCAPES: Record<string, string> = { d: DIGITS, w: WORD, s: ' ' };
/** Most repetitions an open quantifier (`*`, `+`, `{n,}`) or a wide range adds beyond its minimum. */
const EXTRA_REPEATS = 3;

/**
 * A string matching `pattern`, varied by `seq` (the usual regex subset of specs: anchors, literals,
 * escapes, classes with ranges, groups with alternatives, `? * + {n} {n,m}`) and within the field's
 * length bounds. Throws naming the pattern when no attempt matches (an unsupported construct).
 */
export function patternSample(pattern: string, seq: number, bounds: { minLength?: number; maxLength?: number } = {}): string {
  const atoms = parseSequence(pattern, { at: 0 });
  const regex = new RegExp(pattern);
  for (let attempt = 0; attempt < 50; attempt++) {
    const random = mulberry32(seq * 7919 + attempt);
    const text = generate(atoms, random);
    if (regex.test(text) && text.length >= (bounds.minLength ?? 0) && text.length <= (bounds.maxLength ?? Infinity)) return text;
  }
  throw new Error(`sample-data: cannot generate a value for the pattern ${pattern}`);
}

function generate(atoms: Atom[], random: () => number): string {
  let out = '';
  for (const atom of atoms) {
    const count = atom.min + Math.floor(random() * (Math.min(atom.max - atom.min, EXTRA_REPEATS) + 1));
    for (let i = 0; i < count; i++) {
      if ('chars' in atom) out += atom.chars[Math.floor(random() * atom.chars.length)] ?? '';
      else out += generate(atom.alternatives[Math.floor(random() * atom.alternatives.length)] ?? [], random);
    }
  }
  return out;
}

/** Parses alternatives up to the end or a closing parenthesis; returns them as one group atom when there are several. */
function parseSequence(pattern: string, pos: { at: number }): Atom[] {
  const alternatives: Atom[][] = [[]];
  while (pos.at < pattern.length && pattern[pos.at] !== ')') {
    const c = pattern[pos.at++]!;
    if (c === '^' || c === '$') continue;
    if (c === '|') { alternatives.push([]); continue; }
    let atom: Omit<Atom, 'min' | 'max'>;
    if (c === '(') {
      if (pattern.startsWith('?:', pos.at)) pos.at += 2;
      const inner = parseSequence(pattern, pos);
      pos.at++; // the closing parenthesis
      atom = { alternatives: [inner] };
    } else if (c === '[') atom = { chars: parseClass(pattern, pos) };
    else if (c === '\\') {
      const e = pattern[pos.at++]!;
      atom = { chars: ESCAPES[e] ?? e };
    }
    else if (c === '.') atom = { chars: 'a' };
    else atom = { chars: c };
    alternatives[alternatives.length - 1]!.push({ ...atom, ...parseQuantifier(pattern, pos) } as Atom);
  }
  return alternatives.length === 1 ? alternatives[0]! : [{ alternatives, min: 1, max: 1 }];
}

function parseClass(pattern: string, pos: { at: number }): string {
  if (pattern[pos.at] === '^') throw new Error(`sample-data: negated classes are not supported (${pattern})`);
  let chars = '';
  while (pos.at < pattern.length && pattern[pos.at] !== ']') {
    let c = pattern[pos.at++]!;
    if (c === '\\') {
      const e = pattern[pos.at++]!;
      if (ESCAPES[e]) { chars += ESCAPES[e]; continue; }
      c = e;
    }
    if (pattern[pos.at] === '-' && pattern[pos.at + 1] !== undefined && pattern[pos.at + 1] !== ']') {
      const end = pattern[pos.at + 1]!;
      pos.at += 2;
      for (let code = c.charCodeAt(0); code <= end.charCodeAt(0); code++) chars += String.fromCharCode(code);
    } else chars += c;
  }
  pos.at++; // the closing bracket
  return chars;
}

function parseQuantifier(pattern: string, pos: { at: number }): { min: number; max: number } {
  const c = pattern[pos.at];
  const simple: Record<string, { min: number; max: number }> = { '?': { min: 0, max: 1 }, '*': { min: 0, max: Infinity }, '+': { min: 1, max: Infinity } };
  if (c !== undefined && simple[c]) {
    pos.at++;
    return simple[c];
  }
  const braces = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(pos.at)) : null;
  if (!braces) return { min: 1, max: 1 };
  pos.at += braces[0].length;
  const min = Number(braces[1]);
  return { min, max: braces[2] === undefined ? min : braces[3] ? Number(braces[3]) : Infinity };
}

/** A small seeded PRNG (mulberry32), so a sequence number always yields the same sample. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
