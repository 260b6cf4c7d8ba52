import { describeStanza, tombstoneOf } from './tombstone';

describe('tombstones (XEP-0424)', () => {
  const original = `<message xmlns='jabber:client' from='alice@example.org/laptop' to='bob@example.org' type='chat' id='m1'>`
    + `<body>secret</body><origin-id xmlns='urn:xmpp:sid:0' id='m1'/><stanza-id xmlns='urn:xmpp:sid:0' by='bob@example.org' id='abc'/></message>`;

  it('keeps the envelope and IDs, drops the content, and says when', () => {
    const t = tombstoneOf(original, Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    expect(t).toContain(`<retracted xmlns='urn:xmpp:message-retract:1' stamp='2026-01-02T03:04:05Z'/>`);
    expect(t).toContain(`id='abc'`);
    expect(t).toContain(`from='alice@example.org/laptop'`);
    expect(t).not.toContain('secret');
    expect(describeStanza(t)).toEqual({ body: '', retracted: true });
    expect(describeStanza(original)).toEqual({ body: 'secret', retracted: false });
  });
});
