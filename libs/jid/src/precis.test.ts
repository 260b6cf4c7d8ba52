import { disposition, isVirama, mapWidth, type Disposition } from './precis';

describe('disposition (RFC 8264 §8)', () => {
  const table: [number, Disposition, Disposition][] = [
    // [code point, IdentifierClass, FreeformClass]
    [0x61, 'valid', 'valid'], // a
    [0x40, 'valid', 'valid'], // @: ASCII7
    [0x20, 'disallowed', 'valid'], // SPACE
    [0x09, 'disallowed', 'disallowed'], // control
    [0x03c0, 'valid', 'valid'], // π
    [0x03a3, 'valid', 'valid'], // Σ: Lu is a LetterDigit
    [0x0301, 'valid', 'valid'], // combining acute: Mn
    [0x00df, 'valid', 'valid'], // ß: exception
    [0x0640, 'disallowed', 'disallowed'], // TATWEEL: exception
    [0x2163, 'disallowed', 'valid'], // ROMAN NUMERAL FOUR: HasCompat
    [0x00bd, 'disallowed', 'valid'], // ½: HasCompat
    [0x265a, 'disallowed', 'valid'], // ♚: So
    [0x2014, 'disallowed', 'valid'], // EM DASH: Pd
    [0x16ee, 'disallowed', 'valid'], // RUNIC ARLAUG SYMBOL: Nl
    [0x00a0, 'disallowed', 'valid'], // NO-BREAK SPACE: HasCompat
    [0x1680, 'disallowed', 'valid'], // OGHAM SPACE MARK: Zs
    [0x200c, 'contextj', 'contextj'],
    [0x200d, 'contextj', 'contextj'],
    [0x00b7, 'contexto', 'contexto'],
    [0x0661, 'contexto', 'contexto'],
    [0x00ad, 'disallowed', 'disallowed'], // SOFT HYPHEN: default ignorable
    [0xfe0f, 'disallowed', 'disallowed'], // variation selector
    [0x3164, 'disallowed', 'disallowed'], // HANGUL FILLER: default ignorable
    [0x1100, 'disallowed', 'disallowed'], // old Hangul jamo
    [0xac00, 'valid', 'valid'], // 가
    [0x2028, 'disallowed', 'disallowed'], // Zl
    [0x0600, 'disallowed', 'disallowed'], // Cf
    [0xe000, 'disallowed', 'disallowed'], // Co
    [0xd800, 'disallowed', 'disallowed'], // Cs
    [0xfdd0, 'disallowed', 'disallowed'], // noncharacter
    [0x0378, 'unassigned', 'unassigned'],
    [0x10ffff, 'disallowed', 'disallowed'], // noncharacter
  ];
  const rows = table.map(([cp, id, free]) => [cp.toString(16).toUpperCase().padStart(4, '0'), cp, id, free] as const);
  it.each(rows)('U+%s', (_, cp, id, free) => {
    expect([disposition(cp, 'identifier'), disposition(cp, 'freeform')]).toEqual([id, free]);
  });
});

describe('isVirama', () => {
  it.each([
    [0x094d, true], // DEVANAGARI SIGN VIRAMA
    [0x0dca, true], // SINHALA SIGN AL-LAKUNA
    [0x0915, false],
    [0x0301, false],
    [0x3099, false], // class 8
    [0x05b0, false], // class 10
  ])('U+%s -> %s', (cp, expected) => expect(isVirama(cp)).toBe(expected));
});

describe('mapWidth (RFC 8264 §5.2.1)', () => {
  it.each([
    ['ＡＢＣ１２３', 'ABC123'],
    ['\u3000', ' '],
    ['\uff0e', '.'],
    ['\uff8a', '\u30cf'], // halfwidth katakana
    ['\uff61', '\u3002'],
    ['\uffa0', '\u3164'], // halfwidth Hangul filler
    ['\uffa1', '\u3131'],
    ['\uffbe', '\u314e'],
    ['\uffc2', '\u314f'],
    ['\uffca', '\u3155'],
    ['\uffdc', '\u3163'],
    ['\uffe3', '\u00af'], // FULLWIDTH MACRON stops at MACRON
    ['\uffe6', '\u20a9'],
    ['\uffee', '\u25cb'],
    ['ａ\u00bdｂ', 'a\u00bdb'], // other compatibility characters are not width-mapped
    ['plain', 'plain'],
  ])('%j -> %j', (input, output) => expect(mapWidth(input)).toBe(output));
});
