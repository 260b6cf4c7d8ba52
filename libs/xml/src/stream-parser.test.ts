import { XmppStreamParser, type ParserLimits, type StreamHandlers, type XmlStreamError } from './index';

const HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' " +
  "to='example.com' version='1.0' xml:lang='en' id='c2s-1'>";

type Event = [string, ...unknown[]];

function collect(limits?: Partial<ParserLimits>, extra: Partial<StreamHandlers> = {}): { parser: XmppStreamParser; events: Event[] } {
  const events: Event[] = [];
  const parser = new XmppStreamParser({
    streamOpen: (attrs, name, xmlns) => { events.push(['open', attrs, name, xmlns]); extra.streamOpen?.(attrs, name, xmlns); },
    stanza: (e) => { events.push(['stanza', e.toString()]); extra.stanza?.(e); },
    streamClose: () => { events.push(['close']); extra.streamClose?.(); },
    error: (err: XmlStreamError) => { events.push(['error', err.condition]); extra.error?.(err); },
  }, limits);
  return { parser, events };
}

const feed = (p: XmppStreamParser, s: string | Buffer): void => p.write(typeof s === 'string' ? Buffer.from(s) : s);

describe('XmppStreamParser', () => {
  const stream = HEADER +
    "\n  <message to='b@example.com' type='chat' xmlns:x='urn:x' x:a='1'><body>h\u00e9llo &amp; \u{1F600}<![CDATA[<raw>]]></body><x:y/></message>\n" +
    "<r xmlns='urn:xmpp:sm:3'/> <auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGEAYg==</auth>" +
    '<stream:error><not-authorized xmlns="urn:ietf:params:xml:ns:xmpp-streams"/></stream:error></stream:stream>';
  const expected: Event[] = [
    ['open', { to: 'example.com', version: '1.0', 'xml:lang': 'en', id: 'c2s-1', xmlns: 'jabber:client' }, 'stream', 'http://etherx.jabber.org/streams'],
    ['stanza', "<message xmlns='jabber:client' to='b@example.com' type='chat' x:a='1' xmlns:x='urn:x'><body>h\u00e9llo &amp; \u{1F600}&lt;raw&gt;</body><y xmlns='urn:x'/></message>"],
    ['stanza', "<r xmlns='urn:xmpp:sm:3'/>"],
    ['stanza', "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGEAYg==</auth>"],
    ['stanza', "<error xmlns='http://etherx.jabber.org/streams'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></error>"],
    ['close'],
  ];

  it('parses a whole stream in one write', () => {
    const { parser, events } = collect();
    feed(parser, stream);
    expect(events).toEqual(expected);
  });

  it('parses the same stream fed one byte at a time (UTF-8 split everywhere)', () => {
    const { parser, events } = collect();
    for (const b of Buffer.from(stream)) parser.write(Uint8Array.of(b));
    expect(events).toEqual(expected);
  });

  it.each([2, 3, 7, 64, 1000])('parses it in chunks of %i bytes', (size) => {
    const { parser, events } = collect();
    const bytes = Buffer.from(stream);
    for (let i = 0; i < bytes.length; i += size) parser.write(bytes.subarray(i, i + size));
    expect(events).toEqual(expected);
  });

  it('ignores whitespace keepalives between stanzas', () => {
    const { parser, events } = collect({ maxStanzaBytes: 200 });
    feed(parser, HEADER);
    for (let i = 0; i < 1000; i++) feed(parser, i % 2 ? ' ' : '\r\n\t');
    feed(parser, '<r xmlns="urn:xmpp:sm:3"/>');
    expect(events.map((e) => e[0])).toEqual(['open', 'stanza']);
  });

  it('enforces maxStanzaBytes exactly for a stanza that arrives whole', () => {
    const stanza = (n: number): string => `<message><body>${'x'.repeat(n - 32)}</body></message>`;
    expect(stanza(100)).toHaveLength(100);
    const { parser, events } = collect({ maxStanzaBytes: 100 });
    feed(parser, "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
    feed(parser, stanza(100));
    feed(parser, stanza(101));
    expect(events.map((e) => e[0])).toEqual(['open', 'stanza', 'error']);
    expect(events[2]).toEqual(['error', 'policy-violation']);
  });

  it('enforces maxDepth exactly, the stanza being depth 1', () => {
    const run = (xml: string): string[] => {
      const { parser, events } = collect({ maxDepth: 2 });
      feed(parser, `${HEADER}${xml}`);
      return events.map((e) => (e[0] === 'error' ? `error:${String(e[1])}` : e[0]));
    };
    expect(run('<a><b/></a>')).toEqual(['open', 'stanza']);
    expect(run('<a><b><c/></b></a>')).toEqual(['open', 'error:policy-violation']);
  });

  it('refuses an oversized stanza while it is still arriving', () => {
    const { parser, events } = collect();
    feed(parser, `${HEADER}<message><body>`);
    let sent = 0;
    const piece = Buffer.alloc(4096, 'a');
    while (events.length < 2 && sent < 1_000_000) {
      parser.write(piece);
      sent += piece.length;
    }
    expect(events[1]).toEqual(['error', 'policy-violation']);
    // Well before the 300 KiB body of the brief would have been buffered whole.
    expect(sent).toBeLessThanOrEqual(262_144 + 4096);
  });

  it('reset() starts a new stream, with a new XML declaration allowed', () => {
    const { parser, events } = collect();
    feed(parser, `${HEADER}<a/>`);
    parser.reset();
    feed(parser, `${HEADER}<b/>`);
    expect(events.map((e) => e[0])).toEqual(['open', 'stanza', 'open', 'stanza']);
  });

  it('reset() from a handler discards the rest of that write (no STARTTLS injection)', () => {
    const holder: { parser?: XmppStreamParser } = {};
    const { parser, events } = collect(undefined, { stanza: (e) => { if (e.name === 'starttls') holder.parser!.reset(); } });
    holder.parser = parser;
    feed(parser, `${HEADER}<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><iq type='set'>injected</iq>`);
    feed(parser, `${HEADER}<c/>`);
    expect(events.map((e) => e[1])).toEqual([expect.anything(), "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", expect.anything(), "<c xmlns='jabber:client'/>"]);
  });

  it('reset() clears an error', () => {
    const { parser, events } = collect();
    feed(parser, `${HEADER}<!-- x -->`);
    parser.reset();
    feed(parser, `${HEADER}<a/>`);
    expect(events.map((e) => e[0])).toEqual(['open', 'error', 'open', 'stanza']);
  });

  it('never delivers a stanza whose end tag does not match', () => {
    const { parser, events } = collect();
    feed(parser, `${HEADER}<a/><message></iq>`);
    expect(events.map((e) => e[1] ?? e[0])).toEqual([expect.anything(), "<a xmlns='jabber:client'/>", 'not-well-formed']);
  });

  it('delivers stanzas completed before an error in the same write, then the error', () => {
    const { parser, events } = collect();
    feed(parser, `${HEADER}<a/><b/>&foo;<c/>`);
    expect(events.map((e) => e[0])).toEqual(['open', 'stanza', 'stanza', 'error']);
  });

  it('refuses a second root after the stream closed', () => {
    const { parser, events } = collect();
    feed(parser, `${HEADER}</stream:stream>  <stream:stream xmlns:stream='http://etherx.jabber.org/streams'>`);
    expect(events.map((e) => e[1] ?? e[0])).toEqual([expect.anything(), 'close', 'not-well-formed']);
  });

  it('a throwing handler propagates and stops the parser', () => {
    const { parser, events } = collect(undefined, { stanza: () => { throw new Error('boom'); } });
    expect(() => feed(parser, `${HEADER}<a/><b/>`)).toThrow('boom');
    feed(parser, '<c/>');
    expect(events.map((e) => e[0])).toEqual(['open', 'stanza']);
  });

  it('refuses re-entrant writes', () => {
    const holder: { parser?: XmppStreamParser } = {};
    const { parser } = collect(undefined, { stanza: () => holder.parser!.write(Buffer.from('<x/>')) });
    holder.parser = parser;
    expect(() => feed(parser, `${HEADER}<a/>`)).toThrow(/from one of its handlers/);
  });

  it('validates limits', () => {
    expect(() => collect({ maxDepth: 0 })).toThrow(RangeError);
    expect(() => collect({ maxStanzaBytes: 1.5 })).toThrow(RangeError);
  });
});
