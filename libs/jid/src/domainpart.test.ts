import { JidError, normalizeDomainpart } from './index';

const label63 = 'a'.repeat(63);

describe('normalizeDomainpart: valid', () => {
  it.each([
    ['example.com', 'example.com'],
    ['EXAMPLE.Com', 'example.com'],
    ['example.com.', 'example.com'], // one trailing dot stripped (RFC 7622 §3.2)
    ['localhost', 'localhost'],
    ['a-b.c-d.example', 'a-b.c-d.example'],
    ['123.example', '123.example'], // numeric labels are fine below the top level
    [`${label63}.example`, `${label63}.example`],
    [Array(15).fill(label63).join('.') + '.' + 'a'.repeat(63), Array(16).fill(label63).join('.')], // 1023 octets
    ['127.0.0.1', '127.0.0.1'],
    ['255.255.255.255', '255.255.255.255'],
    ['[::1]', '[::1]'],
    ['[2001:DB8:0:0:0:0:0:1]', '[2001:db8::1]'], // IPv6 written the RFC 5952 way
    ['[::ffff:192.0.2.1]', '[::ffff:c000:201]'],
    ['bücher.example', 'bücher.example'],
    ['BÜCHER.example', 'bücher.example'],
    ['xn--bcher-kva.example', 'bücher.example'], // A-labels become U-labels (RFC 7622 §3.2.1)
    ['XN--BCHER-KVA.EXAMPLE', 'bücher.example'],
    ['ｅｘａｍｐｌｅ．ｃｏｍ', 'example.com'], // width mapping, fullwidth full stop
    ['例え。テスト', '例え.テスト'], // ideographic full stop separates labels (RFC 5895 §2)
    ['faß.de', 'faß.de'], // IDNA2008 keeps ß
    ['\u0130.example', 'i\u0307.example'],
    ['u\u0308.example', 'ü.example'], // NFC
    ['עברית.example', 'עברית.example'], // Bidi domain name, every label passes
    ['می\u200cخواهم.example', 'می\u200cخواهم.example'], // ZWNJ in joining context
    ['l\u00b7l.example', 'l\u00b7l.example'],
    ['ü'.repeat(20) + '.example', 'ü'.repeat(20) + '.example'], // A-label of 26 octets
    ['xn--zzzzzzz.example', '\u7ba5\u7cea\u7e16.example'], // any valid punycode of a valid U-label
  ])('%j -> %j', (input, output) => {
    expect(normalizeDomainpart(input)).toBe(output);
    expect(normalizeDomainpart(output)).toBe(output); // enforcement is idempotent
  });
});

describe('normalizeDomainpart: invalid', () => {
  it.each([
    ['', 'empty'],
    ['.', 'empty after the trailing dot'],
    ['example.com..', 'only one trailing dot is stripped'],
    ['.example.com', 'empty label'],
    ['example..com', 'empty label'],
    ['example。com。', 'a mapped trailing separator is an empty label'],
    ['exa mple.com', 'space'],
    ['example.com:5222', 'colon'],
    ['user@example.com', 'at sign'],
    ['example.com/x', 'slash'],
    ['exa_mple.com', 'underscore: not LDH'],
    ['-example.com', 'leading hyphen'],
    ['example-.com', 'trailing hyphen'],
    ['ab--cd.example', 'reserved LDH label'],
    [`${label63}a.example`, 'label of 64 octets'],
    [Array(16).fill(label63).join('.') + '.a', 'over 1023 octets'],
    ['1.2.3.999', 'all-numeric top label that is no IPv4 address'],
    ['01.2.3.4', 'leading zero: no IPv4 address either'],
    ['1.2.3', 'all-numeric'],
    ['example.123', 'all-numeric top label'],
    ['[::1', 'unterminated IPv6 literal'],
    ['::1', 'IPv6 without brackets'],
    ['[1.2.3.4]', 'IPv4 in brackets'],
    ['[fe80::1%eth0]', 'zone identifier'],
    ['[v1.fe]', 'IPvFuture'],
    ['[]', 'empty literal'],
    ['xn--abc-.example', 'A-label that decodes to ASCII'],
    ['xn--a.example', 'invalid punycode'],
    ['xn--bcher-kva-.example', 'not an A-label'],
    ['♚.example', 'symbol: not IDNA2008-valid'],
    ['xn--45h.example', 'A-label of a symbol'],
    ['ℌ.example', 'compatibility character'],
    ['\u2163.example', 'compatibility character'],
    ['\u0300a.example', 'leading combining mark'],
    ['a\u20d0.example', 'IDNA2008 ignorable block'],
    ['a\u200db.example', 'ZWJ without virama'],
    ['a\u00b7b.example', 'MIDDLE DOT outside l·l'],
    ['aא.example', 'Bidi Rule'],
    ['1.עברית', 'Bidi Rule: a label starting with a digit in a Bidi domain name'],
    ['ü'.repeat(60) + '.example', 'A-label longer than 63 octets'],
    ['\ue000.example', 'private use'],
    ['é'.repeat(20000), 'far too long'],
  ])('%j (%s)', (input) => {
    let err: unknown;
    try {
      normalizeDomainpart(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JidError);
    expect((err as JidError).part).toBe('domain');
  });
});
