import { JidError, makeJid, parseJid, tryParseJid, type JidPart } from './index';

function failure(fn: () => unknown): JidError {
  try {
    fn();
  } catch (e) {
    if (e instanceof JidError) return e;
    throw e;
  }
  throw new Error('expected a JidError');
}

describe('parseJid: RFC 7622 §3.5 Table 1 (valid) and other valid addresses', () => {
  it.each([
    // [input, canonical, local, domain, resource]
    ['juliet@example.com', 'juliet@example.com', 'juliet', 'example.com', ''],
    ['juliet@example.com/foo', 'juliet@example.com/foo', 'juliet', 'example.com', 'foo'],
    ['juliet@example.com/foo bar', 'juliet@example.com/foo bar', 'juliet', 'example.com', 'foo bar'],
    ['juliet@example.com/foo@bar', 'juliet@example.com/foo@bar', 'juliet', 'example.com', 'foo@bar'],
    // backslash is ASCII7, so XEP-0106 escapes pass through untouched
    ['foo\\20bar@example.com', 'foo\\20bar@example.com', 'foo\\20bar', 'example.com', ''],
    ['fussball@example.com', 'fussball@example.com', 'fussball', 'example.com', ''],
    ['fußball@example.com', 'fußball@example.com', 'fußball', 'example.com', ''],
    ['π@example.com', 'π@example.com', 'π', 'example.com', ''],
    ['Σ@example.com', 'σ@example.com', 'σ', 'example.com', ''],
    ['σ@example.com', 'σ@example.com', 'σ', 'example.com', ''],
    // toLowerCase leaves final sigma alone (RFC 8265's userpart examples 5-7: ς matches neither)
    ['ς@example.com', 'ς@example.com', 'ς', 'example.com', ''],
    ['king@example.com/♚', 'king@example.com/♚', 'king', 'example.com', '♚'],
    ['example.com', 'example.com', '', 'example.com', ''],
    ['example.com/foobar', 'example.com/foobar', '', 'example.com', 'foobar'],
    ['a.example.com/b@example.net', 'a.example.com/b@example.net', '', 'a.example.com', 'b@example.net'],
    // the resource runs from the first '/', so it may hold '/' and '@' (Prosody's spec cases)
    ['server/resource@foo', 'server/resource@foo', '', 'server', 'resource@foo'],
    ['server/resource@foo/bar', 'server/resource@foo/bar', '', 'server', 'resource@foo/bar'],
    ['u@example.com/a/b@c', 'u@example.com/a/b@c', 'u', 'example.com', 'a/b@c'],
    // a leading space is fine in a resourcepart (RFC 7622 erratum 4560)
    ['juliet@example.com/ foo', 'juliet@example.com/ foo', 'juliet', 'example.com', ' foo'],
    // case: localpart and domainpart are case-mapped, the resourcepart is not
    ['JULIET@EXAMPLE.COM/Foo', 'juliet@example.com/Foo', 'juliet', 'example.com', 'Foo'],
    // one trailing dot is stripped from the domainpart (RFC 7622 §3.2)
    ['juliet@example.com./foo', 'juliet@example.com/foo', 'juliet', 'example.com', 'foo'],
    ['example.com.', 'example.com', '', 'example.com', ''],
    ['juliet@[2001:DB8::1]/r', 'juliet@[2001:db8::1]/r', 'juliet', '[2001:db8::1]', 'r'],
    ['juliet@192.0.2.1', 'juliet@192.0.2.1', 'juliet', '192.0.2.1', ''],
    ['ｊｕｌｉｅｔ@ｅｘａｍｐｌｅ．ｃｏｍ/ｆｏｏ', 'juliet@example.com/ｆｏｏ', 'juliet', 'example.com', 'ｆｏｏ'],
    ['user@xn--bcher-kva.example', 'user@bücher.example', 'user', 'bücher.example', ''],
  ])('%s', (input, canonical, local, domain, resource) => {
    const jid = parseJid(input);
    expect(jid.toString()).toBe(canonical);
    expect([jid.local, jid.domain, jid.resource]).toEqual([local, domain, resource]);
    expect(parseJid(canonical).equals(jid)).toBe(true);
  });
});

describe('parseJid: RFC 7622 §3.5 Table 2 (invalid) and other malformed addresses', () => {
  it.each<[string, JidPart]>([
    ['"juliet"@example.com', 'local'],
    ['foo bar@example.com', 'local'],
    ['@example.com/', 'local'],
    ['henry\u2163@example.com', 'local'],
    ['♚@example.com', 'local'],
    ['juliet@', 'domain'],
    ['/foobar', 'domain'],
    ['@example.com', 'local'],
    ['user@example.com/', 'resource'],
    ['example.com/', 'resource'],
    ['user@@example.com', 'domain'],
    ['user@@host/resource', 'domain'],
    ['node@/server', 'domain'],
    ['@server/resource', 'local'],
    ['@/resource', 'local'],
    ['@', 'local'],
    ['/', 'domain'],
    ['', 'whole'],
    ['juliet@example.com:5222', 'domain'],
    ['juliet@exa mple.com', 'domain'],
    ['jul\u0000iet@example.com', 'local'],
    ['juliet@example.com/fo\u0007o', 'resource'],
    ['juliet@example.com/foo\nbar', 'resource'],
    ['juliet@example.com..', 'domain'],
    ['a'.repeat(1024) + '@example.com', 'local'],
    ['juliet@' + 'a'.repeat(1024), 'domain'],
    ['juliet@example.com/' + 'r'.repeat(1024), 'resource'],
  ])('%j is malformed in the %s part', (input, part) => {
    const err = failure(() => parseJid(input));
    expect(err.part).toBe(part);
    expect(err.condition).toBe('jid-malformed');
    expect(err.code).toBe('JID_MALFORMED');
    expect(err.name).toBe('JidError');
    expect(tryParseJid(input)).toBeUndefined();
  });
});

describe('Jid', () => {
  const full = parseJid('Juliet@Example.com/Balcony');

  it('exposes its parts and bareness', () => {
    expect(full.isBare).toBe(false);
    expect(full.bare().isBare).toBe(true);
    expect(full.bare().toString()).toBe('juliet@example.com');
    expect(parseJid('example.com').isBare).toBe(true);
  });

  it('returns itself as its own bare JID', () => {
    const bare = parseJid('juliet@example.com');
    expect(bare.bare()).toBe(bare);
  });

  it('compares by canonical parts', () => {
    expect(full.equals(parseJid('juliet@EXAMPLE.COM./Balcony'))).toBe(true);
    expect(full.equals(parseJid('juliet@example.com/balcony'))).toBe(false);
    expect(full.equals(full.bare())).toBe(false);
    expect(parseJid('example.com/x').equals(parseJid('x@example.com'))).toBe(false);
  });

  it('enforces a new resource', () => {
    expect(full.withResource('phone\u00a0one').toString()).toBe('juliet@example.com/phone one');
    expect(full.withResource('a/b').resource).toBe('a/b');
    expect(failure(() => full.withResource('')).part).toBe('resource');
    expect(failure(() => full.withResource('tab\there')).part).toBe('resource');
  });
});

describe('makeJid', () => {
  it.each([
    [['Juliet', 'Example.COM', 'Balcony'], 'juliet@example.com/Balcony'],
    [['', 'example.com', undefined], 'example.com'],
    [['', 'example.com', ''], 'example.com'],
    [['juliet', 'example.com', ''], 'juliet@example.com'],
    [['juliet', 'example.com', 'a/b@c'], 'juliet@example.com/a/b@c'],
  ] as const)('%j -> %s', ([local, domain, resource], text) => {
    expect(makeJid(local, domain, resource).toString()).toBe(text);
  });

  it.each<[[string, string, string?], JidPart]>([
    [['ju@liet', 'example.com'], 'local'],
    [['ju/liet', 'example.com'], 'local'],
    [['juliet', 'example.com/x'], 'domain'],
    [['juliet', ''], 'domain'],
    [['juliet', 'example.com', 'a\u0000'], 'resource'],
  ])('%j fails in the %s part', ([local, domain, resource], part) => {
    expect(failure(() => makeJid(local, domain, resource)).part).toBe(part);
  });
});

describe('tryParseJid', () => {
  it('returns the Jid for a valid address', () => {
    expect(tryParseJid('juliet@example.com')?.toString()).toBe('juliet@example.com');
  });
});
