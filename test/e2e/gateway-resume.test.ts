/**
 * XEP-0198 resumption over real sockets: on the same gateway, across a gateway restart (state
 * kept in JetStream KV), and a clean <failed/> for an unknown stream.
 */
import { startConcord, type RunningConcord } from '../support/concord';
import { RawClient } from '../support/raw-client';
import { requireStack } from '../support/stack';

const PING = (id: string) => `<iq type='get' id='${id}'><ping xmlns='urn:xmpp:ping'/></iq>`;

describe('Stream Management resumption', () => {
  requireStack();
  let concord: RunningConcord;

  beforeAll(async () => {
    concord = await startConcord('gwresume');
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('eve', 'eve-secret');
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
