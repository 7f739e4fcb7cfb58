// JSON exactly as received: which texts need the exact parser, what it keeps, where an item's
// text lies, which numbers and strings Postgres can hold.
import { describe, expect, it } from 'vitest';
import {
  elementSpans,
  fitsNumeric,
  int8Of,
  integerOf,
  isExactNumber,
  isStorableJson,
  memberSpans,
  parseExact,
  parseForJavaScript,
  storableJson,
  stringifyJson,
  traitsOf,
  wholeSpan,
} from '../../src/store/exact-json.ts';

describe('traitsOf', () => {
  it.each([
    ['{"id": 42, "name": "x"}', false, false],
    ['{"id": 9007199254740993}', true, false],
    ['{"ids": [1,1234567890123456]}', true, false],
    ['{"v": 1e400}', true, false],
    ['{"v": -2.5E-3}', true, false],
    ['{"value": 1200.00}', true, false],
    ['{"value": [0.10, 3]}', true, false],
    ['{"value": 12.5, "n": 10, "m": 1.05}', false, false],
    ['{"phone": "12345678901234567890"}', false, false],
    ['{"s": "Nul\\u0000Byte"}', false, true],
    ['{"s": "lone \\ud800"}', false, true],
    ['{"s": "\\u00e9"}', false, false],
  ])('%s', (text, exactNumbers, oddStrings) => {
    expect(traitsOf(text)).toEqual({ exactNumbers, oddStrings });
  });
});

describe('parseExact', () => {
  it('keeps numbers JSON.parse would change as their literal, and plain numbers as numbers', () => {
    const value = parseExact('{"a": 9007199254740993, "b": 42, "c": 1.5, "d": 1e400, "e": 1.50, "f": "x\\u0000"}') as Record<string, unknown>;
    expect(isExactNumber(value.a) && value.a.value).toBe('9007199254740993');
    expect(value.b).toBe(42);
    expect(value.c).toBe(1.5);
    expect(isExactNumber(value.d) && value.d.value).toBe('1e400');
    expect(isExactNumber(value.e) && value.e.value).toBe('1.50');
    expect(value.f).toBe('x\u0000');
    expect(stringifyJson(value, true)).toBe('{"a":9007199254740993,"b":42,"c":1.5,"d":1e400,"e":1.50,"f":"x\\u0000"}');
  });

  it('refuses a repeated key (the client then reads item by item)', () => {
    expect(() => parseExact('{"a": 1, "a": 2}')).toThrow(SyntaxError);
  });
});

describe('parseForJavaScript', () => {
  it('gives numbers JavaScript cannot hold as strings of their literal, and strings as they are', () => {
    expect(parseForJavaScript('{"id": 9223372036854775807, "n": 1.5, "big": 1e400, "s": "lone \\ud800", "z": "\\u0000"}')).toEqual({
      id: '9223372036854775807',
      n: 1.5,
      big: '1e400',
      s: 'lone \ud800',
      z: '\u0000',
    });
  });
});

describe('integers', () => {
  it.each([
    [42, 42],
    ['42', 42],
    ['-0', 0],
    [1.5, undefined],
    [Number.MAX_SAFE_INTEGER + 2, undefined],
    ['abc', undefined],
    [null, undefined],
  ])('integerOf(%j) = %j', (value, want) => {
    expect(integerOf(value)).toBe(want);
  });

  it.each([
    ['9007199254740993', 9007199254740993n],
    ['1e3', 1000],
    ['1.0', 1],
    ['12.50e1', 125],
    ['1.25e1', undefined],
    ['0e99999', 0],
    ['1e-99999', undefined],
    ['1e400', undefined],
  ])('integerOf(exact %s) = %s', (literal, want) => {
    expect(integerOf(parseExact(literal))).toBe(want);
  });

  it('takes int8 and no more', () => {
    expect(int8Of(parseExact('9223372036854775807'))).toBe('9223372036854775807');
    expect(int8Of(parseExact('-9223372036854775808'))).toBe('-9223372036854775808');
    expect(int8Of(parseExact('9223372036854775808'))).toBeUndefined();
    expect(int8Of('99999999999999999999')).toBeUndefined();
  });
});

describe('what Postgres can hold', () => {
  it.each([
    ['1e131071', true],
    ['1e131072', false],
    ['1.5e-16382', true],
    ['1.50e-16382', false],
    ['0e-16383', true],
    ['0e-16384', false],
    ['123456789012345678901234567890.123', true],
    ['-', false],
  ])('numeric %s: %s', (literal, fits) => {
    expect(fitsNumeric(literal)).toBe(fits);
  });

  it('finds strings jsonb refuses, in values and keys, and replaces them with U+FFFD', () => {
    const value = { a: ['ok', 'Nul\u0000Byte'], ['k\udfff']: { b: 'lone \ud800' }, n: parseExact('1e200000') };
    expect(isStorableJson(value)).toBe(false);
    expect(isStorableJson({ a: ['ok', 'pair \ud83d\ude00'], n: 1 })).toBe(true);
    expect(storableJson(value)).toEqual({ a: ['ok', 'Nul\uFFFDByte'], ['k\uFFFD']: { b: 'lone \uFFFD' }, n: '1e200000' });
  });
});

describe('source spans', () => {
  it('finds each element and member as written, escapes and nesting included', () => {
    const items = ['{"data":{"id":1,"s":"a\\"]}"},"meta":{}}', ' { "data" : { "id" : 12345678901234567890 } } ', '[1,{"x":[2]}]', '"str,]"', '-1.5e3'];
    const text = ` { "items" : [${items.join(',')}], "meta": {"count": 5}, "items": [${items.join(' , ')}] } `;
    const array = memberSpans(text, wholeSpan(text)).get('items')!;
    const spans = elementSpans(text, array);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(items.map((i) => i.trim()));
    const second = spans[1]!;
    const data = memberSpans(text, second).get('data')!;
    expect(text.slice(data.start, data.end)).toBe('{ "id" : 12345678901234567890 }');
  });
});
