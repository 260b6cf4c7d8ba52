import { parseElement, XmlStreamError, XmppStreamParser, type StreamErrorCondition } from './index';

const H = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";
const KIB300 = 'a'.repeat(300 * 1024);
const LOL = '<!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') + ']>';
const XXE = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>';
const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

type Row = [name: string, input: string | Buffer, condition: StreamErrorCondition];

/** Whole streams; the same inner element is also tried as a WebSocket frame where that makes sense. */
const streamRows: Row[] = [
  ['billion laughs', `<?xml version='1.0'?>${LOL}${H}<message><body>&lol9;</body></message>`, 'restricted-xml'],
  ['XXE', `${XXE}${H}<message><body>&e;</body></message>`, 'restricted-xml'],
  ['external DTD', `<!DOCTYPE x SYSTEM "http://evil.example/x.dtd">${H}`, 'restricted-xml'],
  ['DTD inside the stream', `${H}<!DOCTYPE x [<!ENTITY e "x">]>`, 'restricted-xml'],
  ['processing instruction', `${H}<?foo bar?>`, 'restricted-xml'],
  ['processing instruction in a stanza', `${H}<message><?foo?></message>`, 'restricted-xml'],
  ['XML declaration after whitespace', ` <?xml version='1.0'?>${H}`, 'restricted-xml'],
  ['XML declaration inside the stream', `${H}<?xml version='1.0'?>`, 'restricted-xml'],
  ['XML declaration in capitals', `${H}<?XML version='1.0'?>`, 'restricted-xml'],
  ['XML 1.1', `<?xml version='1.1'?>${H}`, 'restricted-xml'],
  ['non-UTF-8 encoding declared', `<?xml version='1.0' encoding='ISO-8859-1'?>${H}`, 'unsupported-encoding'],
  ['comment between stanzas', `${H}<!-- hi -->`, 'restricted-xml'],
  ['comment in a stanza', `${H}<message><!-- hi --></message>`, 'restricted-xml'],
  ['comment before the header', `<!-- hi -->${H}`, 'restricted-xml'],
  ['undefined entity in text', `${H}<message><body>&foo;</body></message>`, 'restricted-xml'],
  ['undefined entity in an attribute', `${H}<message to='&foo;'/>`, 'restricted-xml'],
  ['entity named like an Object property', `${H}<a>&constructor;&__proto__;</a>`, 'restricted-xml'],
  ['character reference to NUL', `${H}<a>&#0;</a>`, 'not-well-formed'],
  ['character reference to a surrogate', `${H}<a>&#xD800;</a>`, 'not-well-formed'],
  ['oversized stanza (300 KiB body)', `${H}<message><body>${KIB300}</body></message>`, 'policy-violation'],
  ['oversized unterminated comment', `${H}<!--${KIB300}`, 'policy-violation'],
  ['oversized unterminated DTD', `<!DOCTYPE x [${KIB300}`, 'policy-violation'],
  ['oversized stream header', `<stream:stream xmlns:stream='http://etherx.jabber.org/streams' a='${KIB300}'>`, 'policy-violation'],
  ['oversized text between stanzas', `${H}${KIB300}`, 'policy-violation'],
  ['nesting depth 1000', `${H}${'<a>'.repeat(1000)}`, 'policy-violation'],
  ['invalid UTF-8 C3 28', bytes(H, '<a>', [0xc3, 0x28], '</a>'), 'unsupported-encoding'],
  ['invalid UTF-8 FF', bytes(H, '<a>', [0xff], '</a>'), 'unsupported-encoding'],
  ['overlong UTF-8', bytes(H, '<a>', [0xc0, 0xaf], '</a>'), 'unsupported-encoding'],
  ['UTF-8 encoded surrogate', bytes(H, '<a>', [0xed, 0xa0, 0x80], '</a>'), 'unsupported-encoding'],
  ['UTF-8 beyond U+10FFFF', bytes(H, '<a>', [0xf4, 0x90, 0x80, 0x80], '</a>'), 'unsupported-encoding'],
  ['NUL in text', `${H}<a>x\u0000</a>`, 'not-well-formed'],
  ['NUL in an attribute', `${H}<a b='\u0000'/>`, 'not-well-formed'],
  ['control character', `${H}<a>\u001b[31m</a>`, 'not-well-formed'],
  ['U+FFFE', `${H}<a>\uFFFE</a>`, 'not-well-formed'],
  ['root in the wrong namespace', "<stream:stream xmlns:stream='jabber:client'>", 'invalid-namespace'],
  ['root without a namespace', "<stream to='example.com'>", 'invalid-namespace'],
  ['root with the wrong name', "<features xmlns='http://etherx.jabber.org/streams'>", 'invalid-namespace'],
  ['text between stanzas', `${H}<a/>hello<b/>`, 'bad-format'],
  ['entity between stanzas', `${H}&amp;<b/>`, 'bad-format'],
  ['CDATA between stanzas', `${H}<![CDATA[x]]>`, 'bad-format'],
  ['mismatched end tag', `${H}<message><body></message>`, 'not-well-formed'],
  ['duplicate attribute', `${H}<a b='1' b='2'/>`, 'not-well-formed'],
  ['unbound prefix', `${H}<x:a/>`, 'not-well-formed'],
  ['unquoted attribute', `${H}<a b=1/>`, 'not-well-formed'],
  [']]> in text', `${H}<a>]]></a>`, 'not-well-formed'],
  ['text before the header', `hello${H}`, 'not-well-formed'],
];

function run(input: Buffer, step: number): { events: string[]; parser: XmppStreamParser } {
  const events: string[] = [];
  const parser = new XmppStreamParser({
    streamOpen: () => events.push('open'),
    stanza: () => events.push('stanza'),
    streamClose: () => events.push('close'),
    error: (err) => events.push(`error:${err.condition}`),
  });
  for (let i = 0; i < input.length; i += step) parser.write(input.subarray(i, i + step));
  return { events, parser };
}

describe('XmppStreamParser refuses hostile input', () => {
  it.each(streamRows.map(([n, i, c]) => [n, c, i] as const))('%s -> %s', (_, condition, input) => {
    const buf = Buffer.isBuffer(input) ? input : Buffer.from(input);
    // Whole, and in small chunks (a byte at a time where the input is small enough).
    for (const step of [buf.length, buf.length > 20_000 ? 997 : 1]) {
      const { events, parser } = run(buf, step);
      expect(events[events.length - 1]).toBe(`error:${condition}`);
      expect(events.filter((e) => e.startsWith('error'))).toHaveLength(1);
      // After the error nothing reaches a handler any more.
      const before = events.length;
      parser.write(Buffer.from(`${H}<message><body>more</body></message></stream:stream>`));
      expect(events).toHaveLength(before);
    }
  });
});

const S = 'xmlns="jabber:client"';
const fragmentRows: Row[] = [
  ['billion laughs', `${LOL}<message ${S}><body>&lol9;</body></message>`, 'restricted-xml'],
  ['XXE', `${XXE}<message ${S}><body>&e;</body></message>`, 'restricted-xml'],
  ['processing instruction', `<?foo?><a/>`, 'restricted-xml'],
  ['XML declaration not at the start', ` <?xml version='1.0'?><a/>`, 'restricted-xml'],
  ['comment', `<a><!-- hi --></a>`, 'restricted-xml'],
  ['undefined entity', `<a>&foo;</a>`, 'restricted-xml'],
  ['oversized element', `<message><body>${KIB300}</body></message>`, 'policy-violation'],
  ['nesting depth 1000', `${'<a>'.repeat(1000)}${'</a>'.repeat(1000)}`, 'policy-violation'],
  ['invalid UTF-8', bytes('<a>', [0xc3, 0x28], '</a>'), 'unsupported-encoding'],
  ['lone surrogate in a string', '<a>\uD800x</a>', 'not-well-formed'],
  ['NUL', '<a>\u0000</a>', 'not-well-formed'],
  ['two elements', '<a/><b/>', 'not-well-formed'],
  ['unclosed element', '<a>', 'not-well-formed'],
  ['mismatched end tag', '<a></b>', 'not-well-formed'],
  ['no element at all', '  ', 'not-well-formed'],
  ['text beside the element', '<a/>x', 'not-well-formed'],
];

describe('parseElement refuses hostile input', () => {
  it.each(fragmentRows.map(([n, i, c]) => [n, c, i] as const))('%s -> %s', (_, condition, input) => {
    let err: unknown;
    try {
      parseElement(input, undefined, 'jabber:client');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XmlStreamError);
    expect((err as XmlStreamError).condition).toBe(condition);
  });
});
