/**
 * XEP-0198 resumption after the gateway holding the stream is SIGKILLed (DESIGN §3.4, issue 15):
 * alice.phone (a real @xmpp/client that reconnects and resumes by itself) is on a gateway child
 * process while bob.desktop sends to her and she sends to him. The gateway dies with messages
 * in flight and some she has not acknowledged; bob goes on sending while it is dead. She resumes
 * on the restarted gateway (same node id), and later, after a second kill, on another gateway of
 * the cluster. Every message reaches each side exactly once, her `h` lets her client re-send
 * only what was not handled, and the session registry holds her session once, on its new node.
 * Last, she moves while the gateway she leaves is alive and still holds her stream: it lets go.
 */
import { concord as proto } from '@concord/proto';
import type { ClientDriver, DriverEvent } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { eventually, requireStack } from '../support/stack';

describe('Stream Management resumption after a gateway crash', () => {
  requireStack();
  let concord: RunningConcord;
  let alicePhone: ClientDriver;
  let bobDesktop: ClientDriver;
  let alice: string;
  let bob: string;
  let bobSent = 0;
  let aliceSent = 0;

  /** Alice's registry entries; a listing that timed out on a loaded machine is asked again. */
  const sessionsOfAlice = () => eventually(() => concord.presence.ctx.registry.ofAccount(alice).catch(() => undefined), 10_000, "alice's session listing");

  beforeAll(async () => {
    // Registry heartbeats every second, so that the last test sees several of them.
    concord = await startConcord('smcrash', { CONCORD_SESSION_TTL: '3s' }, { gatewayProcess: true });
    alice = await concord.addAccount('alice', 'alice-secret');
    bob = await concord.addAccount('bob', 'bob-secret');
    alicePhone = await xmppjsOnline(concord, 'alice.phone', 'alice', 'alice-secret',
      { service: `xmpp://127.0.0.1:${concord.gatewayChild!.ports.tcp}`, imNg: true, userAgentId: '5b0c-alice-phone', reconnect: true });
    bobDesktop = await xmppjsOnline(concord, 'bob.desktop', 'bob', 'bob-secret', { imNg: true, userAgentId: '5b0c-bob-desktop' });
  }, 90_000);

  afterAll(async () => {
    await Promise.all([alicePhone, bobDesktop].map((d) => d?.kill()));
    await concord.stop();
  });

  const message = (to: string, body: string) => `<message to='${to}' type='chat' id='${body}'><body>${body}</body></message>`;
  const bodies = (d: ClientDriver, body: string) => d.events.filter((e) => e.event === 'element' && e.xml?.startsWith('<message') && e.xml.includes(`<body>${body}</body>`)).length;
  const received = (d: ClientDriver, body: string, what: string, timeoutMs = 20_000) =>
    d.waitFor((e) => e.event === 'element' && (e.xml ?? '').startsWith('<message') && (e.xml ?? '').includes(`<body>${body}</body>`), timeoutMs, what);
  const acked = (d: ClientDriver, body: string) => d.waitFor((e: DriverEvent) => e.event === 'ack' && (e.xml ?? '').includes(`<body>${body}</body>`), 20_000, `the ack of ${body}`);

  /** Bob sends `n` messages, each acked (archived for both) before the next. */
  async function bobSends(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const body = `b-${++bobSent}`;
      await bobDesktop.ok('send', { xml: message(alice, body) });
      await acked(bobDesktop, body);
    }
  }

  /** Alice sends `n` messages without waiting: some are in flight when her gateway dies. */
  async function aliceSends(n: number): Promise<string[]> {
    const sent: string[] = [];
    for (let i = 0; i < n; i++) {
      const body = `a-${++aliceSent}`;
      sent.push(body);
      await alicePhone.ok('send', { xml: message(bob, body) });
    }
    return sent;
  }

  async function smRecord(smId: string): Promise<proto.events.v1.SmStateRecord | undefined> {
    const e = await (await concord.gateway.ctx.bus.kv('smState')).get(smId);
    return e && e.operation === 'PUT' ? proto.events.v1.SmStateRecord.decode(e.value) : undefined;
  }

  /** A marker through the same flow: everything sent before it (and any duplicate) arrived first. */
  async function everythingOnce(): Promise<void> {
    await bobSends(1);
    await received(alicePhone, `b-${bobSent}`, `alice: b-${bobSent}`);
    for (let i = 1; i <= bobSent; i++) expect([`b-${i}`, bodies(alicePhone, `b-${i}`)]).toEqual([`b-${i}`, 1]);
    const [last] = await aliceSends(1);
    await received(bobDesktop, last!, `bob: ${last}`);
    for (let i = 1; i <= aliceSent; i++) {
      await acked(alicePhone, `a-${i}`);
      expect([`a-${i}`, bodies(bobDesktop, `a-${i}`)]).toEqual([`a-${i}`, 1]);
    }
    expect(alicePhone.events.filter((e) => e.event === 'fail')).toEqual([]);
  }

  /**
   * SIGKILLs alice's gateway with traffic both ways; checks the record covers what she read.
   * Returns the messages bob sent while it was dead.
   */
  async function crashWhileBusy(): Promise<string[]> {
    await bobSends(7);
    await received(alicePhone, `b-${bobSent}`, `alice: b-${bobSent}`);
    await aliceSends(3);
    await concord.gatewayChild!.kill();
    const { smId, inbound } = await alicePhone.ok<{ smId: string; inbound: number }>('sm');
    const record = await smRecord(smId);
    // Written ahead of the socket: the record counts at least everything she read.
    expect(record).toBeDefined();
    expect(record!.outboundSent).toBeGreaterThanOrEqual(inbound);
    // Archived, acked, and not delivered live: her gateway is dead.
    await bobSends(5);
    return Array.from({ length: 5 }, (_, i) => `b-${bobSent - 4 + i}`);
  }

  /** What her gateway missed came from the archive, replayed with a delay. */
  function replayed(bodies: string[]): void {
    for (const body of bodies) {
      const copy = alicePhone.events.find((e) => e.event === 'element' && (e.xml ?? '').includes(`<body>${body}</body>`))!;
      expect([body, copy.xml]).toEqual([body, expect.stringMatching(/<delay xmlns=["']urn:xmpp:delay["']/)]);
    }
  }

  it('resumes on the restarted gateway: nothing lost, nothing twice', async () => {
    const resumedBefore = alicePhone.events.filter((e) => e.event === 'resumed').length;
    const whileDead = await crashWhileBusy();
    await concord.gatewayChild!.restart();
    await eventually(async () => (alicePhone.events.filter((e) => e.event === 'resumed').length > resumedBefore ? true : undefined), 20_000, 'alice to resume');
    await everythingOnce();
    replayed(whileDead);
    const sessions = await sessionsOfAlice();
    expect(sessions.map((s) => [s.fullJid, s.gatewayNode])).toEqual([[expect.stringMatching(/^alice@/), concord.gatewayChild!.nodeId]]);
  }, 120_000);

  it('resumes on another gateway of the cluster after a crash', async () => {
    const resumedBefore = alicePhone.events.filter((e) => e.event === 'resumed').length;
    const whileDead = await crashWhileBusy();
    await alicePhone.ok('moveTo', { service: `xmpp://127.0.0.1:${concord.ports.tcp}` });
    await eventually(async () => (alicePhone.events.filter((e) => e.event === 'resumed').length > resumedBefore ? true : undefined), 20_000, 'alice to resume elsewhere');
    await everythingOnce();
    replayed(whileDead);
    const sessions = await sessionsOfAlice();
    // The dead node's entry is the same key, now the new node's: one session, not two.
    expect(sessions.map((s) => s.gatewayNode)).toEqual([concord.gateway.ctx.config.nodeId]);
  }, 120_000);

  it('resumes on another gateway while the old one still holds the stream; the old one lets it go', async () => {
    // She is on the in-process gateway now (the last test); the child comes back, empty.
    await concord.gatewayChild!.restart();
    const resumedBefore = alicePhone.events.filter((e) => e.event === 'resumed').length;
    const jid = (await sessionsOfAlice())[0]!.fullJid;
    await alicePhone.ok('moveTo', { service: `xmpp://127.0.0.1:${concord.gatewayChild!.ports.tcp}` });
    // Her network breaks: the in-process gateway keeps her stream hibernating for resumption.
    await alicePhone.ok('disconnect');
    await eventually(async () => (alicePhone.events.filter((e) => e.event === 'resumed').length > resumedBefore ? true : undefined), 20_000, 'alice to resume on the child');
    // Its next registry heartbeat finds the stream taken over and lets the session go, not writing it back.
    await eventually(async () => (concord.gateway.ctx.sessions.byFullJid(jid) ? undefined : true), 10_000, 'the old gateway to let her stream go');
    await bobSends(3);
    await everythingOnce();
    const sessions = await sessionsOfAlice();
    expect(sessions.map((s) => s.gatewayNode)).toEqual([concord.gatewayChild!.nodeId]);
  }, 120_000);
});
