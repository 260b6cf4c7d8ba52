import { JidError, normalizeLocalpart } from './index';

describe('normalizeLocalpart: valid', () => {
  it.each([
    ['juliet', 'juliet'],
    ['JULIET', 'juliet'],
    ['foo\\20bar', 'foo\\20bar'],
    ['a.b-c_d+e!#$%*=?^`{|}~', 'a.b-c_d+e!#$%*=?^`{|}~'],
    ['fußball', 'fußball'],
    ['\u1e9e', 'ß'], // LATIN CAPITAL LETTER SHARP S lowercases to ß
    ['Σ', 'σ'],
    ['\u039f\u0394\u039f\u03a3', '\u03bf\u03b4\u03bf\u03c2'], // ΟΔΟΣ -> οδος: toLowerCase's final-sigma rule
    ['Ελληνικά', 'ελληνικά'],
    ['π', 'π'],
    ['ｊｕｌｉｅｔ', 'juliet'], // fullwidth: width-mapped (RFC 8265 §3.3.1)
    ['ＪＵＬＩＥＴ', 'juliet'],
    ['\uff8a\uff9f', '\u30d1'], // halfwidth katakana HA + semi-voiced mark composes to PA
    ['e\u0301', '\u00e9'], // NFC
    ['\u00c9', '\u00e9'],
    ['\u0130', 'i\u0307'], // CAPITAL I WITH DOT ABOVE
    ['名前', '名前'],
    ['한국어', '한국어'],
    ['дмитрий', 'дмитрий'],
    ['דוד', 'דוד'], // right-to-left, passes the Bidi Rule
    ['علي1', 'علي1'],
    ['می\u200cخواهم', 'می\u200cخواهم'], // ZWNJ between joining letters (RFC 5892 A.1)
    ['क्\u200dष', 'क्\u200dष'], // ZWJ after a virama (RFC 5892 A.2)
    ['l\u00b7l', 'l\u00b7l'], // MIDDLE DOT between two l (RFC 5892 A.3)
    ['\u0375α', '\u0375α'], // KERAIA before Greek (A.4)
    ['א\u05f3', 'א\u05f3'], // GERESH after Hebrew (A.5)
    ['カ\u30fbナ', 'カ\u30fbナ'], // KATAKANA MIDDLE DOT with kana (A.7)
    ['\u0661\u0662', '\u0661\u0662'], // Arabic-Indic digits alone (A.8)
    ['a'.repeat(1023), 'a'.repeat(1023)],
    ['é'.repeat(511), 'é'.repeat(511)], // 1022 octets
  ])('%j -> %j', (input, output) => {
    expect(normalizeLocalpart(input)).toBe(output);
    expect(normalizeLocalpart(output)).toBe(output); // enforcement is idempotent
  });
});

describe('normalizeLocalpart: invalid', () => {
  it.each([
    ['', 'empty'],
    ['"juliet"', 'RFC 7622 §3.3.1 exclusion'],
    ['ju&liet', 'RFC 7622 §3.3.1 exclusion'],
    ["ju'liet", 'RFC 7622 §3.3.1 exclusion'],
    ['ju/liet', 'RFC 7622 §3.3.1 exclusion'],
    ['ju:liet', 'RFC 7622 §3.3.1 exclusion'],
    ['<juliet>', 'RFC 7622 §3.3.1 exclusion'],
    ['ju@liet', 'RFC 7622 §3.3.1 exclusion'],
    ['ｊｕ＠ｌｉｅｔ', 'fullwidth @ maps to an excluded character'],
    ['foo bar', 'space'],
    ['foo\u00a0bar', 'non-ASCII space'],
    ['foo\u3000bar', 'ideographic space maps to space'],
    ['foo\tbar', 'control'],
    ['foo\u007fbar', 'DEL'],
    ['foo\u0085bar', 'C1 control'],
    ['henry\u2163', 'compatibility character (HasCompat)'],
    ['\u212aelvin', 'KELVIN SIGN: HasCompat before case mapping'],
    ['ﬁsh', 'ligature'],
    ['x\u00b2', 'superscript'],
    ['♚', 'symbol'],
    ['☺', 'symbol'],
    ['a\u00a9', 'symbol'],
    ['foo\u2014bar', 'punctuation'],
    ['«a»', 'punctuation'],
    ['a\u00ad', 'soft hyphen: default ignorable'],
    ['a\u200b', 'zero width space: default ignorable'],
    ['a\ufe0f', 'variation selector'],
    ['a\u200db', 'ZWJ without virama'],
    ['a\u200cb', 'ZWNJ between non-joining letters'],
    ['\u200c', 'ZWNJ alone'],
    ['a\u00b7b', 'MIDDLE DOT outside l·l'],
    ['\u0375a', 'KERAIA before non-Greek'],
    ['a\u30fb', 'KATAKANA MIDDLE DOT without kana'],
    ['\u0661\u06f1', 'mixed Arabic-Indic digit sets'],
    ['\u0640', 'ARABIC TATWEEL (RFC 5892 exception)'],
    ['\u1100\u1161', 'conjoining Hangul jamo'],
    ['\ue000', 'private use'],
    ['\ud800', 'lone surrogate'],
    ['\u0378', 'unassigned'],
    ['\ufdd0', 'noncharacter'],
    ['\u2028', 'line separator'],
    ['\u01c5', 'titlecase digraph (HasCompat)'],
    ['aא', 'Bidi Rule: LTR then RTL'],
    ['1א', 'Bidi Rule: RTL string starting with a digit'],
    ['א-', 'Bidi Rule: RTL string ending in punctuation'],
    ['א1\u0661', 'Bidi Rule: EN and AN together'],
    ['a'.repeat(1024), 'too long'],
    ['é'.repeat(512), 'too long in octets'],
    ['é'.repeat(20000), 'far too long'],
  ])('%j (%s)', (input) => {
    let err: unknown;
    try {
      normalizeLocalpart(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JidError);
    expect((err as JidError).part).toBe('local');
  });
});
