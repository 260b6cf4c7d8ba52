import { JidError, normalizeResourcepart } from './index';

describe('normalizeResourcepart: valid', () => {
  it.each([
    ['foo', 'foo'],
    ['Foo Bar', 'Foo Bar'], // case preserved, ASCII space allowed
    [' foo ', ' foo '], // leading and trailing spaces are fine (RFC 7622 erratum 4560)
    ['foo@bar/baz', 'foo@bar/baz'],
    ['"quoted" <&\'>:', '"quoted" <&\'>:'],
    ['♚', '♚'],
    ['Jack of ♦s', 'Jack of ♦s'], // RFC 8265 §4.3 example 15
    ['foo\u1680bar', 'foo bar'], // OGHAM SPACE MARK -> SPACE (RFC 8265 §4.3 example 16)
    ['a\u00a0b\u2003c\u3000d', 'a b c d'], // every non-ASCII space becomes U+0020
    ['πßå', 'πßå'],
    ['e\u0301', '\u00e9'], // NFC
    ['\u2126', '\u03a9'], // OHM SIGN: canonical singleton, NFC maps it
    ['ｆｏｏ', 'ｆｏｏ'], // no width mapping
    ['\u2163', '\u2163'], // compatibility characters are FreeformClass-valid
    ['📱 phone', '📱 phone'],
    ['Gajim.abc123', 'Gajim.abc123'],
    ['r'.repeat(1023), 'r'.repeat(1023)],
  ])('%j -> %j', (input, output) => {
    expect(normalizeResourcepart(input)).toBe(output);
    expect(normalizeResourcepart(output)).toBe(output); // enforcement is idempotent
  });
});

describe('normalizeResourcepart: invalid', () => {
  it.each([
    ['', 'empty'],
    ['my cat is a \tby', 'TAB (RFC 8265 §4.3 example 18)'],
    ['a\u0000', 'NUL'],
    ['a\u007f', 'DEL'],
    ['a\u0085', 'C1 control'],
    ['a\u2028b', 'line separator'],
    ['a\u2029b', 'paragraph separator'],
    ['a\u00adb', 'soft hyphen: default ignorable'],
    ['\u2764\ufe0f', 'emoji variation selector: default ignorable'],
    ['a\u200db', 'ZWJ outside its context'],
    ['a\u00b7b', 'MIDDLE DOT outside l·l (CONTEXTO applies to FreeformClass too)'],
    ['\ue000', 'private use'],
    ['\udc00x', 'lone surrogate'],
    ['\u0378', 'unassigned'],
    ['\uffff', 'noncharacter'],
    ['\u1100', 'conjoining Hangul jamo'],
    ['\u0600', 'format character'],
    ['r'.repeat(1024), 'too long'],
    ['π'.repeat(512), 'too long in octets'],
  ])('%j (%s)', (input) => {
    let err: unknown;
    try {
      normalizeResourcepart(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JidError);
    expect((err as JidError).part).toBe('resource');
  });
});
