import { el, Element, escapeAttr, escapeText, parseElement, serialize, Verbatim, verbatim, XmlSerializeError } from './index';

describe('el and Element', () => {
  const msg = el('message', { xmlns: 'jabber:client', to: 'a@b', id: 7, type: undefined },
    el('body', {}, 'hi ', 'there'),
    false,
    undefined,
    el('x', { xmlns: 'urn:x' }, el('item', { n: '1' }), el('item', { n: '2' })),
    '',
    el('body', { xmlns: 'urn:other' }, 'not this one'));

  it('skips undefined attributes and falsy children, stringifies numbers', () => {
    expect(msg.attrs).toEqual({ xmlns: 'jabber:client', to: 'a@b', id: '7' });
    expect(msg.children).toHaveLength(3);
    expect(msg.xmlns).toBe('jabber:client');
  });

  it('finds children by local name and (effective) namespace', () => {
    expect(msg.getChild('body')?.text()).toBe('hi there');
    // body has no xmlns of its own: it is in its parent's namespace.
    expect(msg.getChildText('body', 'jabber:client')).toBe('hi there');
    expect(msg.getChildText('body', 'urn:other')).toBe('not this one');
    expect(msg.getChild('body', 'urn:nope')).toBeUndefined();
    expect(msg.getChild('x', 'urn:x')?.getChildren('item').map((i) => i.attrs['n'])).toEqual(['1', '2']);
    expect(msg.getChildren('body')).toHaveLength(2);
    expect(msg.elements().map((e) => e.name)).toEqual(['body', 'x', 'body']);
  });

  it('c() returns the child, append() and remove() return the parent', () => {
    const iq = el('iq', { type: 'get' });
    const query = iq.c('query', { xmlns: 'jabber:iq:roster', ver: 3 });
    expect(query.attrs).toEqual({ xmlns: 'jabber:iq:roster', ver: '3' });
    expect(iq.append('t').remove(query)).toBe(iq);
    expect(iq.children).toEqual(['t']);
  });

  it('clone() is deep', () => {
    const copy = msg.clone();
    expect(copy).toEqual(msg);
    copy.getChild('x')!.c('extra');
    copy.attrs['to'] = 'c@d';
    expect(msg.getChild('x')!.elements()).toHaveLength(2);
    expect(msg.attrs['to']).toBe('a@b');
  });

  it('keeps a __proto__ attribute as data', () => {
    const e = el('a', Object.fromEntries([['__proto__', 'x']]));
    expect(Object.getPrototypeOf(e.attrs)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(e.attrs, '__proto__')?.value).toBe('x');
    expect(e.toString()).toBe("<a __proto__='x'/>");
    expect(Object.getOwnPropertyDescriptor(parseElement("<a __proto__='y'/>").attrs, '__proto__')?.value).toBe('y');
  });
});

describe('serialize', () => {
  it.each([
    [el('presence'), undefined, '<presence/>'],
    [el('presence', { xmlns: 'jabber:client' }), undefined, "<presence xmlns='jabber:client'/>"],
    [el('presence', { xmlns: 'jabber:client' }), 'jabber:client', '<presence/>'],
    [el('presence', { xmlns: '' }), undefined, '<presence/>'],
    [el('a', { xmlns: 'urn:a' }, el('b', { xmlns: 'urn:a' }), el('c'), el('d', { xmlns: '' })), undefined,
      "<a xmlns='urn:a'><b/><c/><d xmlns=''/></a>"],
    [el('a', { xmlns: 'urn:a' }, el('b', { xmlns: 'urn:b' }, el('c'))), 'urn:a', "<a><b xmlns='urn:b'><c/></b></a>"],
    [el('a', { 'xml:lang': 'en', q: `'"<&>\t\n\r` }), undefined, "<a xml:lang='en' q='&apos;&quot;&lt;&amp;&gt;&#9;&#10;&#13;'/>"],
    [el('a', {}, 'x & y < z > ]]> \r'), undefined, '<a>x &amp; y &lt; z &gt; ]]&gt; &#13;</a>'],
    ['plain & text', 'jabber:client', 'plain &amp; text'],
  ])('%#', (node, parentNs, xml) => expect(serialize(node, parentNs)).toBe(xml));

  it('toString() serializes as a root', () => {
    expect(el('r', { xmlns: 'urn:xmpp:sm:3' }).toString()).toBe("<r xmlns='urn:xmpp:sm:3'/>");
  });

  it.each([
    ['NUL in text', el('a', {}, 'x\u0000')],
    ['control char in attr', el('a', { b: '\u0001' })],
    ['U+FFFE', el('a', {}, '\uFFFE')],
    ['lone surrogate', el('a', {}, '\uD800')],
    ['bad element name', el('a b')],
    ['prefixed element name', el('stream:stream')],
    ['bad attribute name', el('a', { 'x>': '1' })],
  ])('refuses %s', (_, e) => expect(() => serialize(e)).toThrow(XmlSerializeError));

  it('escape helpers', () => {
    expect(escapeText('a<b')).toBe('a&lt;b');
    expect(escapeAttr("it's")).toBe('it&apos;s');
    expect(() => escapeAttr('\u0008')).toThrow(/U\+0008/);
  });
});

describe('verbatim', () => {
  const stored = "<message xmlns='jabber:client' to='b@x'><body>hi</body></message>";
  const parse = (xml: string) => parseElement(xml, undefined, 'jabber:client');

  it('keeps XML that serialize wrote unparsed, and writes it back unchanged', () => {
    const v = verbatim(stored, () => { throw new Error('parsed'); });
    expect(v).toBeInstanceOf(Verbatim);
    expect([v.name, v.xmlns, v.children]).toEqual(['message', 'jabber:client', []]);
    expect(serialize(v)).toBe(stored);
    expect(serialize(v.clone())).toBe(stored);
  });

  it('wraps a stored stanza unchanged, reading back as the parsed stanza would', () => {
    const stanza = "<message xmlns='jabber:client' to='b@x'><body>hi &amp; bye</body></message>";
    const wrap = (inner: Element) => el('message', { xmlns: 'jabber:client', to: "a@x/'r'" }, el('result', { xmlns: 'urn:xmpp:mam:2', id: '1' },
      el('forwarded', { xmlns: 'urn:xmpp:forward:0' }, el('delay', { xmlns: 'urn:xmpp:delay', stamp: 's' }), inner)));
    const xml = serialize(wrap(verbatim(stanza, parse)));
    expect(xml).toBe("<message xmlns='jabber:client' to='a@x/&apos;r&apos;'><result xmlns='urn:xmpp:mam:2' id='1'>" +
      "<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='s'/>" + stanza + '</forwarded></result></message>');
    expect(parseElement(xml)).toEqual(parseElement(serialize(wrap(parse(stanza)))));
  });

  it('drops the declaration inside a parent of its namespace, keeps it elsewhere', () => {
    const v = verbatim(stored, parse);
    expect(serialize(v, 'jabber:client')).toBe("<message to='b@x'><body>hi</body></message>");
    expect(serialize(el('forwarded', { xmlns: 'urn:xmpp:forward:0' }, v))).toBe(`<forwarded xmlns='urn:xmpp:forward:0'>${stored}</forwarded>`);
    expect(parse(serialize(el('iq', { xmlns: 'jabber:client' }, v)))).toEqual(parse(serialize(el('iq', { xmlns: 'jabber:client' }, parse(stored)))));
  });

  it.each([
    // Declared, but not as serialize writes it (first, single-quoted): parsed, never the reverse.
    ['<message to="b@x"/>'],
    ['<message xmlns="jabber:client"/>'],
    ["<message\n  xmlns='jabber:client'>x</message>"],
    ["<message to='b@x' xmlns='jabber:client'/>"],
    ["<message to=\"x xmlns='y'\"/>"],
    ["<message xmlns:x='urn:x'/>"],
    ["<message xmlns='urn:a&amp;b'/>"],
  ])('parses %s, which serialize did not write as a root with a namespace', (xml) => {
    const e = verbatim(xml, parse);
    expect(e).not.toBeInstanceOf(Verbatim);
    expect(e).toEqual(parse(xml));
  });
});

describe('round trip through the parser', () => {
  it.each([
    el('message', { xmlns: 'jabber:client', to: 'a@b/r', 'xml:lang': 'fr' },
      el('body', {}, "tabs\tand\nnewlines, <tags> & 'quotes' \u00e9\u{1F600}"),
      el('x', { xmlns: 'urn:x', note: 'multi\nline\tvalue\r' }, el('y', { xmlns: '' }, 'no namespace'))),
    el('iq', { xmlns: 'jabber:client', type: 'set', id: '1' }, el('bind', { xmlns: 'urn:ietf:params:xml:ns:xmpp-bind' }, el('resource', {}, 'r'))),
    el('a', { xmlns: 'urn:a' }, 'text ', el('b'), ' more text', el('c', {}, '\r\n')),
  ])('%#', (original) => {
    const parsed = parseElement(original.toString());
    expect(parsed.toString()).toBe(original.toString());
    expect(parsed.text()).toBe(original.text());
  });
});

it('parsed elements expose Element methods', () => {
  expect(parseElement("<a xmlns='urn:a'/>")).toBeInstanceOf(Element);
});
