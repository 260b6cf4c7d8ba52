/**
 * XEP-0313 / XEP-0441 archiving preferences over a real socket: the preferences in force are
 * default='always' (every message is archived for both parties), a set is answered with the
 * preferences applied, and the archive goes on archiving whatever was asked.
 */
import { startConcord, type RunningConcord } from '../support/concord';
import { RawClient } from '../support/raw-client';
import { eventually, requireStack } from '../support/stack';

describe('MAM preferences', () => {
  requireStack();
  let concord: RunningConcord;
  let alice: RawClient;

  beforeAll(async () => {
    concord = await startConcord('mamprefs');
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('bob', 'bob-secret');
    alice = await RawClient.connect(concord.ports.tcp);
    await alice.login(concord.domain, 'alice', 'alice-secret', 'laptop');
  }, 60_000);

  afterAll(async () => {
    alice?.end();
    await concord.stop();
  });

  /** The IQ with this id, alone (waitFor resolves with everything received). */
  const answer = async (id: string) => {
    const iq = new RegExp(`<iq[^>]*id=['"]${id}['"][^>]*>.*?</iq>`, 's');
    return iq.exec(await alice.waitFor(iq))![0];
  };

  it('answers a get with default=always', async () => {
    alice.write(`<iq type='get' id='p1'><prefs xmlns='urn:xmpp:mam:2'/></iq>`);
    const reply = await answer('p1');
    expect(reply).toMatch(/type=['"]result['"]/);
    expect(reply).toMatch(/<prefs xmlns=['"]urn:xmpp:mam:2['"] default=['"]always['"]><always\/><never\/><\/prefs>/);
  });

  it('answers a set with the preferences applied, and archives a message to a JID asked never to be archived', async () => {
    const bob = `bob@${concord.domain}`;
    alice.write(`<iq type='set' id='p2'><prefs xmlns='urn:xmpp:mam:2' default='never'><always/><never><jid>${bob}</jid></never></prefs></iq>`);
    const reply = await answer('p2');
    expect(reply).toMatch(/type=['"]result['"]/);
    expect(reply).toMatch(/default=['"]always['"]><always\/><never\/><\/prefs>/);
    alice.write(`<message to='${bob}' type='chat' id='kept'><body>archived all the same</body></message>`);
    await eventually(async () => ((await concord.archived(bob)).length === 1 ? true : undefined), 10_000, "the message in bob's archive");
  });
});
