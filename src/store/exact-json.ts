// JSON exactly as Base sent it. `JSON.parse` rounds integers past 2^53 (ids!) and turns 1e400
// into Infinity; jsonb refuses strings with NUL or a lone surrogate. This module parses a page
// exactly when (and only when) its text holds a number literal JSON.parse could change, finds an
// item's source text when it is needed (a rejected item is kept byte-exact), and says what
// jsonb can hold.
import { isLosslessNumber, isSafeNumber, LosslessNumber, parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';

/** A number JSON.parse would not reproduce exactly (past 2^53, 1e400, 1.50): kept as its literal. */
export type ExactNumber = LosslessNumber;
export const isExactNumber: (value: unknown) => value is ExactNumber = isLosslessNumber;

/**
 * A number token with 16 digits in a row (integers past 2^53 have at least 16), an exponent, or
 * a fraction ending in 0 (money sent as a number, `1200.00`, keeps its scale). It may also match
 * inside a string (`"a:1e5"`): that only costs an exact parse.
 */
const LOSSY_NUMBER = /[:,[]\s*-?\d(?:\d{15}|[\d.]*[eE]|\d*\.\d*0(?!\d))/;

/** Escapes of the characters jsonb refuses (`\u0000`) or may refuse (surrogates, when lone). */
const ODD_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

/** What a JSON text holds that needs care; both false for almost every page. */
export interface JsonTraits {
  /** Numbers are parsed exactly: those JSON.parse would change are {@link ExactNumber}s. */
  exactNumbers: boolean;
  /** It may hold strings jsonb refuses (NUL, lone surrogates): values must be checked. */
  oddStrings: boolean;
}

/** The traits of a JSON text (two scans of the text, no parse). */
export function traitsOf(text: string): JsonTraits {
  return { exactNumbers: LOSSY_NUMBER.test(text), oddStrings: text.includes('\\u') && ODD_ESCAPE.test(text) };
}

/** A number literal as JSON.parse would give it, unless that would change it. */
function exactNumber(literal: string): number | ExactNumber {
  const n = Number(literal);
  return String(n) === literal ? n : new LosslessNumber(literal);
}

/** Parses JSON text with every number exact; throws a SyntaxError (also on a duplicate key). */
export function parseExact(text: string): unknown {
  return parseLossless(text, null, exactNumber);
}

/**
 * A JSON text as JavaScript (and so a GraphQL JSON answer) can hold it exactly: strings as they
 * are (NUL and lone surrogates included), and a number a JavaScript number cannot hold (an
 * integer past 2^53, 1e400) as a string of its literal.
 */
export function parseForJavaScript(text: string): unknown {
  try {
    return parseLossless(text, null, (literal) => (isSafeNumber(literal) ? Number(literal) : literal));
  } catch {
    // A repeated key (JSON allows it; the exact parser does not): the plain parse, as jsonb would keep it.
    return JSON.parse(text);
  }
}

/** Serializes a value that may hold {@link ExactNumber}s (as their literal); `exact` false: plain JSON.stringify. */
export function stringifyJson(value: unknown, exact: boolean): string {
  return exact ? (stringifyLossless(value) as string) : JSON.stringify(value);
}

/** A `JSON.stringify` replacer for values holding bigints (ids), which JSON.stringify refuses: each as its digits. */
export const bigintsAsStrings = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

/** Whether a value holds an {@link ExactNumber} anywhere. */
export function holdsExactNumber(value: unknown): boolean {
  if (isExactNumber(value)) return true;
  if (Array.isArray(value)) return value.some(holdsExactNumber);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsExactNumber);
  return false;
}

// ─── Integers ────────────────────────────────────────────────────────────────────────────

const INTEGER_TEXT = /^-?\d+$/;
/** A number literal: sign, digits, fraction, exponent. */
const NUMBER_LITERAL = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/;

/**
 * The integer a JSON value denotes, if any: a number, an {@link ExactNumber} or a string of
 * digits (`"42"`, as some clients send ids). `1.0` and `1e3` are integers; `1.5` is not.
 */
export function integerOf(value: unknown): number | bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string') return INTEGER_TEXT.test(value) ? toInteger(BigInt(value)) : undefined;
  if (typeof value === 'bigint') return toInteger(value);
  if (!isExactNumber(value)) return undefined;
  const literal = value.value;
  if (INTEGER_TEXT.test(literal)) return toInteger(BigInt(literal));
  const parts = NUMBER_LITERAL.exec(literal);
  if (!parts) return undefined;
  const [, sign, whole = '', fraction = '', exponentText = '0'] = parts;
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  if (digits === '') return 0;
  // value = digits × 10^shift
  const shift = Number(exponentText) - fraction.length;
  if (shift >= 0) return shift > 40 ? undefined : toInteger(BigInt(`${sign}${digits}${'0'.repeat(shift)}`));
  const kept = digits.slice(0, shift);
  if (!/^0*$/.test(digits.slice(shift))) return undefined;
  return toInteger(BigInt(`${sign}${kept || '0'}`));
}

function toInteger(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

export const INT8_MIN = -(2n ** 63n);
export const INT8_MAX = 2n ** 63n - 1n;

/** The value as an int8 (a number when safe, else its digits), or undefined when it is no integer or past int8. */
export function int8Of(value: unknown): number | string | undefined {
  const n = integerOf(value);
  if (n === undefined || typeof n === 'number') return n;
  return n >= INT8_MIN && n <= INT8_MAX ? n.toString() : undefined;
}

/** The text of a number value (a literal as received for an {@link ExactNumber}). */
export function numberText(value: number | ExactNumber): string {
  return typeof value === 'number' ? String(value) : value.value;
}

/**
 * Whether a number literal fits Postgres `numeric` (and so jsonb): at most 131,072 digits before
 * the decimal point and 16,383 after, counted as written (`1.50` keeps its scale).
 */
export function fitsNumeric(literal: string): boolean {
  const parts = NUMBER_LITERAL.exec(literal);
  if (!parts || (parts[2] === '' && (parts[3] ?? '') === '')) return false;
  const [, , whole = '', fraction = '', exponentText = '0'] = parts;
  const exponent = Number(exponentText);
  if (!Number.isFinite(exponent)) return false;
  const significant = whole.replace(/^0+/, '');
  if (significant === '' && /^0*$/.test(fraction)) return Math.max(0, fraction.length - exponent) <= 16_383;
  return significant.length + exponent <= 131_072 && fraction.length - exponent <= 16_383;
}

// ─── Strings jsonb refuses ───────────────────────────────────────────────────────────────

/** A string Postgres text and jsonb can hold: no NUL, no lone surrogate. */
export function isStorableString(value: string): boolean {
  return !value.includes('\0') && value.isWellFormed();
}

/** Whether jsonb can hold a value exactly: every string and key storable, every number within numeric. */
export function isStorableJson(value: unknown): boolean {
  if (typeof value === 'string') return isStorableString(value);
  if (isExactNumber(value)) return fitsNumeric(value.value);
  if (Array.isArray(value)) return value.every(isStorableJson);
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) if (!isStorableString(key) || !isStorableJson(v)) return false;
  }
  return true;
}

const storableString = (value: string) => value.replaceAll('\0', '\uFFFD').toWellFormed();

/**
 * The closest value jsonb can hold: NUL and lone surrogates become U+FFFD (in keys too), and a
 * number past numeric's range becomes its literal as a string.
 */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return isStorableString(value) ? value : storableString(value);
  if (isExactNumber(value)) return fitsNumeric(value.value) ? value : value.value;
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[isStorableString(key) ? key : storableString(key)] = storableJson(v);
    return out;
  }
  return value;
}

// ─── Source spans ────────────────────────────────────────────────────────────────────────

/** Where a value lies in a JSON text: `text.slice(start, end)`. */
export interface Span {
  start: number;
  end: number;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(text: string, pos: number): number {
  while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
  return pos;
}

/** The end of the string token starting at `pos` (a `"`). */
function stringEnd(text: string, pos: number): number {
  for (let i = pos + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  throw new SyntaxError('unterminated string');
}

/** The end of the value starting at `pos` (no leading space) in valid JSON text. */
function valueEnd(text: string, pos: number): number {
  const c = text.charCodeAt(pos);
  if (c === 0x22) return stringEnd(text, pos);
  if (c !== 0x7b && c !== 0x5b) {
    let i = pos;
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    return i;
  }
  let depth = 0;
  for (let i = pos; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d === 0x22) i = stringEnd(text, i) - 1;
    else if (d === 0x7b || d === 0x5b) depth++;
    else if (d === 0x7d || d === 0x5d) {
      if (--depth === 0) return i + 1;
    }
  }
  throw new SyntaxError('unterminated value');
}

/** The spans of an object's members (last one of a repeated key, as JSON.parse keeps). */
export function memberSpans(text: string, span: Span): Map<string, Span> {
  const members = new Map<string, Span>();
  let pos = skipSpace(text, span.start);
  if (text[pos] !== '{') throw new SyntaxError('not an object');
  pos = skipSpace(text, pos + 1);
  while (pos < span.end && text[pos] !== '}') {
    const keyEnd = stringEnd(text, pos);
    const key = JSON.parse(text.slice(pos, keyEnd)) as string;
    const start = skipSpace(text, skipSpace(text, keyEnd) + 1);
    const end = valueEnd(text, start);
    members.set(key, { start, end });
    pos = skipSpace(text, end);
    if (text[pos] === ',') pos = skipSpace(text, pos + 1);
  }
  return members;
}

/** The spans of an array's elements. */
export function elementSpans(text: string, span: Span): Span[] {
  const elements: Span[] = [];
  let pos = skipSpace(text, span.start);
  if (text[pos] !== '[') throw new SyntaxError('not an array');
  pos = skipSpace(text, pos + 1);
  while (pos < span.end && text[pos] !== ']') {
    const end = valueEnd(text, pos);
    elements.push({ start: pos, end });
    pos = skipSpace(text, end);
    if (text[pos] === ',') pos = skipSpace(text, pos + 1);
  }
  return elements;
}

/** The span of a whole JSON text's value (without surrounding space). */
export function wholeSpan(text: string): Span {
  const start = skipSpace(text, 0);
  return { start, end: valueEnd(text, start) };
}
