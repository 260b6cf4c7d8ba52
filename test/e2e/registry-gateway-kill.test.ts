/**
 * The session registry when a gateway dies (SIGKILL, no goodbye): alice.phone is on a gateway
 * child process, bob.desktop on the other gateway. Alice's session must leave the registry
 * within CONCORD_SESSION_TTL, bob must see her go unavailable, and messages to her must still
 * be archived.
 */
import { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { befriend, getRoster, presenceFrom, receives, sendPresence } from '../support/presence';
import { eventually, requireStack } from '../support/stack';

const TTL_MS = 4_000;
/** KV expiry is checked on a timer; allow for it and for a loaded machine. */
const EXPIRY_SLACK_MS = 3_000;

describe('session registry when a gateway dies', () => {
  requireStack();
  let concord: RunningConcord;
  let alicePhone: ClientDriver;
  let bobDesktop: ClientDriver;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    concord = await startConcord('registry', { CONCORD_SESSION_TTL: `${TTL_MS}ms`, CONCORD_PRESENCE_SWEEP_INTERVAL: '500ms' }, { gatewayProcess: true });
    alice = await concord.addAccount('alice', 'alice-secret');
    bob = await concord.addAccount('bob', 'bob-secret');
    alicePhone = ClientDriver.xmppjs('alice.phone');
    await alicePhone.ok('start', { service: `xmpp://127.0.0.1:${concord.gatewayChild!.ports.tcp}`, domain: concord.domain, username: 'alice', password: 'alice-secret' });
    bobDesktop = await xmppjsOnline(concord, 'bob.desktop', 'bob', 'bob-secret');
    for (const d of [alicePhone, bobDesktop]) {
      await getRoster(d);
      await sendPresence(d);
    }
    await befriend({ d: alicePhone, jid: alice }, { d: bobDesktop, jid: bob });
  }, 90_000);

  afterAll(async () => {
    await Promise.all([alicePhone, bobDesktop].map((d) => d?.kill()));
    await concord.stop();
  });

  it("a killed gateway's sessions leave the registry within the TTL; contacts see them go; messages are still archived", async () => {
    const registry = concord.presence.ctx.registry;
    const before = await registry.ofAccount(alice);
    expect(before.map((s) => s.gatewayNode)).toEqual([concord.gatewayChild!.nodeId]);

    const killedAt = Date.now();
    await concord.gatewayChild!.kill();
    await eventually(async () => ((await registry.ofAccount(alice)).length === 0 ? true : undefined), TTL_MS + EXPIRY_SLACK_MS + 2_000, "alice's session to leave the registry");
    expect(Date.now() - killedAt).toBeLessThanOrEqual(TTL_MS + EXPIRY_SLACK_MS);

    // Nobody closed alice's stream: the presence service announces her unavailable.
    // Bounded by the presence sweep, which a loaded machine (the whole suite) can slow down.
    await receives(bobDesktop, presenceFrom(alice, 'unavailable'), 'bob: alice unavailable', 0, 20_000);

    await bobDesktop.ok('send', { xml: `<message to='${alice}' type='chat' id='while-away'><body>call me</body></message>` });
    await bobDesktop.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('while-away'), 10_000, 'the ack');
    const rows = await concord.archived(alice);
    expect(rows.some((r) => r.stanza.includes('call me') && !r.outgoing)).toBe(true);
  });
});
