import { parseElement, XmlStreamError } from './index';

const FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';

function conditionOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof XmlStreamError) return e.condition;
    throw e;
  }
  return undefined;
}

describe('parseElement (RFC 7395 frames)', () => {
  it.each([
    [`<open xmlns='${FRAMING}' to='example.com' version='1.0'/>`, 'open', FRAMING, { to: 'example.com', version: '1.0' }],
    [`<close xmlns="${FRAMING}" />`, 'close', FRAMING, {}],
    ["<message to='a@b' type='chat'><body>hi</body></message>", 'message', 'jabber:client', { to: 'a@b', type: 'chat' }],
    ["<message xmlns='jabber:client' xml:lang='de'/>", 'message', 'jabber:client', { 'xml:lang': 'de' }],
    ["<r xmlns='urn:xmpp:sm:3'/>", 'r', 'urn:xmpp:sm:3', {}],
    ["<x:enable xmlns:x='urn:xmpp:sm:3' resume='true'/>", 'enable', 'urn:xmpp:sm:3', { resume: 'true' }],
  ])('%s', (xml, name, xmlns, attrs) => {
    const e = parseElement(Buffer.from(xml), undefined, 'jabber:client');
    expect(e.name).toBe(name);
    expect(e.attrs).toEqual({ xmlns, ...attrs });
  });

  it('gives unprefixed elements the default namespace only where none is declared', () => {
    const e = parseElement("<iq type='get'><query xmlns='jabber:iq:roster'><item/></query><ping xmlns=''/></iq>", undefined, 'jabber:client');
    expect(e.xmlns).toBe('jabber:client');
    expect(e.getChild('query')!.getChild('item')!.xmlns).toBe('jabber:iq:roster');
    expect(e.getChild('ping')!.xmlns).toBe('');
    expect(e.toString()).toBe("<iq xmlns='jabber:client' type='get'><query xmlns='jabber:iq:roster'><item/></query><ping xmlns=''/></iq>");
    // Without a default, an undeclared element is in no namespace.
    expect(parseElement('<a/>').xmlns).toBe('');
  });

  it('decodes predefined entities, character references and CDATA into one text node', () => {
    const e = parseElement('<b>&lt;&gt;&amp;&quot;&apos; &#233;&#x1F600; <![CDATA[<raw & ]]]]>tail</b>');
    expect(e.children).toEqual(['<>&"\' \u00e9\u{1F600} <raw & ]]tail']);
  });

  it('accepts a leading XML declaration, a BOM and surrounding whitespace', () => {
    expect(parseElement("<?xml version='1.0' encoding='utf-8'?>\n<a/>\n").name).toBe('a');
    expect(parseElement(Buffer.from('\uFEFF <a/> ')).name).toBe('a');
    expect(parseElement('\uFEFF<a/>').name).toBe('a');
  });

  it('normalizes newlines and attribute whitespace as XML 1.0 requires', () => {
    const e = parseElement("<a v='x\ny\tz&#10;'>1\r\n2\r3</a>");
    expect(e.attrs['v']).toBe('x y z\n');
    expect(e.text()).toBe('1\n2\n3');
  });

  it('enforces maxDepth exactly, the element itself being depth 1', () => {
    const nest = (n: number): string => '<a>'.repeat(n) + '</a>'.repeat(n);
    expect(conditionOf(() => parseElement(nest(3), { maxDepth: 3 }))).toBeUndefined();
    expect(conditionOf(() => parseElement(nest(4), { maxDepth: 3 }))).toBe('policy-violation');
  });

  it('enforces maxStanzaBytes in bytes, not characters', () => {
    const xml = `<a>${'\u00e9'.repeat(10)}</a>`; // 7 + 20 bytes
    expect(conditionOf(() => parseElement(xml, { maxStanzaBytes: 27 }))).toBeUndefined();
    expect(conditionOf(() => parseElement(xml, { maxStanzaBytes: 26 }))).toBe('policy-violation');
    expect(conditionOf(() => parseElement(Buffer.from(xml), { maxStanzaBytes: 26 }))).toBe('policy-violation');
  });

  it('accepts Uint8Array as well as Buffer', () => {
    expect(parseElement(new TextEncoder().encode('<a>\u00e9</a>')).text()).toBe('\u00e9');
  });
});
