/**
 * Hostile input over raw sockets: each gets the standard stream error and closes only that
 * stream, while an honest client keeps being served.
 */
import type { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { RawClient } from '../support/raw-client';
import { requireStack } from '../support/stack';

const STREAM = `<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`;

describe('gateway under hostile input', () => {
  requireStack();
  let concord: RunningConcord;
  let honest: ClientDriver;

  beforeAll(async () => {
    concord = await startConcord('gwhostile', { CONCORD_GATEWAY_MAX_STANZA_BYTES: '65536' });
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('eve', 'eve-secret');
    honest = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
  }, 60_000);

  afterAll(async () => {
    await honest.kill();
    await concord.stop();
  });

  afterEach(async () => {
    // The honest client is still served after every attack.
    const ping = await honest.ok<{ xml: string }>('iq', { xml: `<iq type='get' to='${concord.domain}'><ping xmlns='urn:xmpp:ping'/></iq>` });
    expect(ping.xml).toMatch(/type="result"/);
  });

  const cases: [string, string | Buffer, string][] = [
    ['billion laughs', `<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>${STREAM}<message>&lol2;</message>`, 'restricted-xml'],
    ['external entity', `<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${STREAM}<message>&e;</message>`, 'restricted-xml'],
    ['a DTD', `<?xml version='1.0'?><!DOCTYPE stream:stream>${STREAM}`, 'restricted-xml'],
    ['a processing instruction', `${STREAM}<?evil data?>`, 'restricted-xml'],
    ['a comment', `${STREAM}<!-- hello -->`, 'restricted-xml'],
    ['an undefined entity', `${STREAM}<message>&nbsp;</message>`, 'restricted-xml|not-well-formed'],
    ['an oversized stanza', `${STREAM}<message><body>${'A'.repeat(70_000)}</body></message>`, 'policy-violation'],
    ['deep nesting', `${STREAM}<message>${'<a>'.repeat(1_000)}`, 'policy-violation'],
    ['invalid UTF-8', Buffer.concat([Buffer.from(`${STREAM}<message><body>`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('</body></message>')]), 'not-well-formed|unsupported-encoding'],
    ['malformed XML', `${STREAM}<message><body></message>`, 'not-well-formed'],
    ['a wrong stream namespace', `<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' xmlns:stream='urn:evil' version='1.0'>`, 'invalid-namespace'],
  ];

  it.each(cases)('%s gets <%s/> and the stream closes', async (_what, payload, condition) => {
    const c = await RawClient.connect(concord.ports.tcp);
    c.write(payload);
    const text = await c.waitFor(/<\/stream:error>|<stream:error>[\s\S]*\/>/);
    expect(text).toMatch(new RegExp(`<(${condition}) xmlns=['"]urn:ietf:params:xml:ns:xmpp-streams['"]`));
    await c.waitClosed();
  });

  it('PLAIN over plain TCP is refused when not allowed', async () => {
    const c = await RawClient.connect(concord.ports.tcp);
    c.openStream(concord.domain);
    const features = await c.waitFor(/<\/stream:features>/);
    expect(features).toMatch(/<starttls[^>]*><required\/><\/starttls>/);
    expect(features).not.toMatch(/PLAIN/);
    c.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from('\0alice\0alice-secret').toString('base64')}</auth>`);
    await c.waitFor(/<failure xmlns=['"]urn:ietf:params:xml:ns:xmpp-sasl['"]><encryption-required/);
    c.end();
  });

  it('a spoofed from ends the stream with <invalid-from/>', async () => {
    const c = await RawClient.connect(concord.ports.tcp);
    await c.login(concord.domain, 'eve', 'eve-secret');
    c.write(`<message from='alice@${concord.domain}/laptop' to='bob@${concord.domain}'><body>it is alice</body></message>`);
    await c.waitFor(/<invalid-from xmlns=['"]urn:ietf:params:xml:ns:xmpp-streams['"]/);
    await c.waitClosed();
  });

  it('an unknown element with a huge name ends the stream without echoing the name back', async () => {
    const c = await RawClient.connect(concord.ports.tcp);
    await c.login(concord.domain, 'eve', 'eve-secret');
    c.write(`<${'n'.repeat(60_000)}/>`);
    const text = await c.waitFor(/<unsupported-stanza-type xmlns=['"]urn:ietf:params:xml:ns:xmpp-streams['"][\s\S]*<\/stream:error>/);
    expect(text.length).toBeLessThan(1_000);
    await c.waitClosed();
  });

  it('100 wrong passwords in a row each get a SASL failure, and later attempts are throttled', async () => {
    const conditions: string[] = [];
    // Five failures end a connection (policy-violation), so the attacker reconnects 20 times.
    for (let conn = 0; conn < 20; conn++) {
      const c = await RawClient.connect(concord.ports.tcp);
      await c.startTls(concord.domain);
      for (let i = 0; i < 5; i++) {
        const seen = (c.received.match(/<failure/g) ?? []).length;
        c.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0alice\0wrong${conn}-${i}`).toString('base64')}</auth>`);
        const text = await c.waitFor(new RegExp(`(<failure[\\s\\S]*?){${seen + 1}}`));
        conditions.push([...text.matchAll(/<failure[^>]*><([a-z-]+)/g)][seen]![1]!);
      }
      await c.waitFor(/<policy-violation/);
      await c.waitClosed();
    }
    expect(conditions).toHaveLength(100);
    expect(conditions.slice(0, 10).every((x) => x === 'not-authorized')).toBe(true);
    expect(conditions.slice(-10).every((x) => x === 'temporary-auth-failure')).toBe(true);
  });
});
