/**
 * XEP-0198 resumption over real sockets: on the same gateway, across a gateway restart (state
 * kept in JetStream KV, archived messages by reference), and a clean <failed/> for an unknown
 * stream. Resumption after a crash: gateway-crash-resume.test.ts.
 */
import { concord as proto } from '@concord/proto';
import { startConcord, type RunningConcord } from '../support/concord';
import { RawClient } from '../support/raw-client';
import { eventually, requireStack } from '../support/stack';

const PING = (id: string) => `<iq type='get' id='${id}'><ping xmlns='urn:xmpp:ping'/></iq>`;

describe('Stream Management resumption', () => {
  requireStack();
  let concord: RunningConcord;

  beforeAll(async () => {
    concord = await startConcord('gwresume');
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('eve', 'eve-secret');
    await concord.addAccount('bob', 'bob-secret');
  }, 60_000);

  afterAll(() => concord.stop());

  /** alice.phone binds, enables resumable SM, gets one stanza she never acks, and loses her network. */
  async function breakAStream(): Promise<{ smId: string }> {
    const phone = await RawClient.connect(concord.ports.tcp);
    await phone.login(concord.domain, 'alice', 'alice-secret', 'phone');
    phone.write(`<enable xmlns='urn:xmpp:sm:3' resume='true'/>`);
    const enabled = await phone.waitFor(/<enabled [^>]*\/>/);
    const smId = /id='([^']+)'/.exec(enabled.match(/<enabled [^>]*\/>/)![0])![1]!;
    phone.write(PING('p1'));
    await phone.waitFor(/id='p1'/);
    phone.write(`<r xmlns='urn:xmpp:sm:3'/>`);
    await phone.waitFor(/<a xmlns='urn:xmpp:sm:3' h='1'\/>/);
    phone.end();
    return { smId };
  }

  async function resume(smId: string, h: number): Promise<RawClient> {
    const again = await RawClient.connect(concord.ports.tcp);
    await again.authenticate(concord.domain, 'alice', 'alice-secret');
    again.write(`<resume xmlns='urn:xmpp:sm:3' previd='${smId}' h='${h}'/>`);
    return again;
  }

  it('resumes on the same gateway and re-sends what was not acknowledged', async () => {
    const { smId } = await breakAStream();
    const again = await resume(smId, 0);
    const text = await again.waitFor(/<resumed [^>]*\/>[\s\S]*id='p1'/);
    expect(text).toMatch(new RegExp(`<resumed xmlns='urn:xmpp:sm:3' previd='${smId}' h='1'/>`));
    // The stream goes on: new stanzas are answered and counted.
    again.clear();
    again.write(PING('p2'));
    await again.waitFor(/id='p2'/);
    again.end();
  });

  it('resumes after the gateway restarted, from the state it saved', async () => {
    const { smId } = await breakAStream();
    await concord.restartGateway();
    const again = await resume(smId, 0);
    const text = await again.waitFor(/<resumed [^>]*\/>[\s\S]*id='p1'/);
    expect(text).toMatch(/h='1'/);
    again.end();
  });

  it('re-sends an unacknowledged archived message rebuilt from the archive, and what arrived while it was away', async () => {
    const bob = await RawClient.connect(concord.ports.tcp);
    await bob.login(concord.domain, 'bob', 'bob-secret', 'desktop');
    const phone = await RawClient.connect(concord.ports.tcp);
    await phone.login(concord.domain, 'alice', 'alice-secret', 'phone');
    phone.write(`<enable xmlns='urn:xmpp:sm:3' resume='true'/>`);
    const smId = /<enabled [^>]*id='([^']+)'/.exec(await phone.waitFor(/<enabled [^>]*\/>/))![1]!;
    bob.write(`<message to='alice@${concord.domain}' type='chat' id='m1'><body>before</body></message>`);
    // Received, never acknowledged: its record keeps it by archive ID, not as XML.
    const live = await phone.waitFor(/<body>before<\/body>/);
    const archiveId = /<stanza-id [^>]*id='([^']+)'/.exec(live)![1]!;
    phone.end();
    await concord.restartGateway();
    bob.end();
    const bob2 = await RawClient.connect(concord.ports.tcp);
    await bob2.login(concord.domain, 'bob', 'bob-secret', 'desktop');
    bob2.write(`<message to='alice@${concord.domain}' type='chat' id='m2'><body>while away</body></message>`);
    await eventually(async () => ((await concord.archived(`alice@${concord.domain}`)).some((r) => r.stanza.includes('while away')) ? true : undefined), 10_000, 'the message to be archived');
    const stored = await (await concord.gateway.ctx.bus.kv('smState')).get(smId);
    expect(proto.events.v1.SmStateRecord.decode(stored!.value).queued).toEqual([{ xml: '', archiveId, form: proto.events.v1.SmQueued_Form.FORM_MESSAGE }]);
    const again = await resume(smId, 0);
    const text = await again.waitFor(/<body>while away<\/body>/, 10_000);
    expect(text).toMatch(new RegExp(`<resumed xmlns='urn:xmpp:sm:3' previd='${smId}' h='0'/>`));
    const messages = again.elements().filter((e) => e.name === 'message');
    expect(messages.map((m) => m.getChildText('body'))).toEqual(['before', 'while away']);
    expect(messages[0]!.getChild('stanza-id', 'urn:xmpp:sid:0')?.attrs['id']).toBe(archiveId);
    again.end();
    bob2.end();
  });

  it('a graceful shutdown tells live clients <system-shutdown/> and keeps their streams resumable', async () => {
    const phone = await RawClient.connect(concord.ports.tcp);
    await phone.login(concord.domain, 'alice', 'alice-secret', 'phone');
    phone.write(`<enable xmlns='urn:xmpp:sm:3' resume='true'/>`);
    const enabled = await phone.waitFor(/<enabled [^>]*\/>/);
    const smId = /id='([^']+)'/.exec(enabled.match(/<enabled [^>]*\/>/)![0])![1]!;
    await concord.restartGateway();
    await phone.waitFor(/<system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'\/>/);
    await phone.waitClosed();
    const again = await resume(smId, 0);
    await again.waitFor(new RegExp(`<resumed xmlns='urn:xmpp:sm:3' previd='${smId}' h='0'/>`));
    again.end();
  });

  it('deletes the record of a session ended normally: it cannot be resumed', async () => {
    const phone = await RawClient.connect(concord.ports.tcp);
    await phone.login(concord.domain, 'alice', 'alice-secret', 'phone');
    phone.write(`<enable xmlns='urn:xmpp:sm:3' resume='true'/>`);
    const smId = /<enabled [^>]*id='([^']+)'/.exec(await phone.waitFor(/<enabled [^>]*\/>/))![1]!;
    const kv = await concord.gateway.ctx.bus.kv('smState');
    await eventually(async () => ((await kv.get(smId))?.operation === 'PUT' ? true : undefined), 5_000, 'the record to be written');
    phone.write('</stream:stream>');
    await phone.waitClosed();
    await eventually(async () => ((await kv.get(smId))?.operation === 'PUT' ? undefined : true), 5_000, 'the record to be deleted');
    const again = await resume(smId, 0);
    await again.waitFor(/<failed xmlns='urn:xmpp:sm:3'><item-not-found/);
    again.end();
  });

  it('refuses an h above what the stream was sent, after a restart as before it', async () => {
    const { smId } = await breakAStream();
    await concord.restartGateway();
    const again = await resume(smId, 5);
    await again.waitFor(/<failed xmlns='urn:xmpp:sm:3' h='1'><unexpected-request/);
    again.end();
  });

  it('answers an unknown stream with <failed><item-not-found/></failed>', async () => {
    const again = await resume('no-such-stream', 0);
    await again.waitFor(/<failed xmlns='urn:xmpp:sm:3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'\/><\/failed>/);
    again.end();
  });

  it('does not let another account resume the stream', async () => {
    const { smId } = await breakAStream();
    const eve = await RawClient.connect(concord.ports.tcp);
    await eve.authenticate(concord.domain, 'eve', 'eve-secret');
    eve.write(`<resume xmlns='urn:xmpp:sm:3' previd='${smId}' h='0'/>`);
    await eve.waitFor(/<failed xmlns='urn:xmpp:sm:3'><item-not-found/);
    eve.end();
  });
});
