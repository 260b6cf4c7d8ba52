/**
 * A router that dies after archiving a message but before delivering it (issue: acked and
 * archived, never delivered to recipients online the whole time). The stanza is redelivered to
 * the next router, which must deliver it again; bob.phone's gateway drops a second copy of what
 * the session already has. The dead router is played by routing the stanza with a session
 * directory that finds nobody online, exactly what it had done before dying.
 */
import { randomUUID } from 'node:crypto';
import { Bus } from '@concord/bus';
import { createLogger } from '@concord/log';
import { concord as proto } from '@concord/proto';
import { PushAccounts, SessionDirectory, SessionRegistry } from '@concord/registry';
import { AppliedThrough, IdCheck, routeMessage, type RouteContext } from '@concord/router';
import { cassandraSettings } from '@concord/runtime';
import { ArchiveStore, connectCassandra } from '@concord/storage';
import { parseElement } from '@concord/xml';
import { NS, predictedArchiveId } from '@concord/xmpp';
import type { Client } from 'cassandra-driver';
import { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { eventually, requireStack, testConfig } from '../support/stack';

describe('a stanza routed again after its router died', () => {
  requireStack();
  let concord: RunningConcord;
  let bobPhone: ClientDriver;
  let bus: Bus;
  let cassandra: Client;
  let ctx: RouteContext;
  let directory: SessionDirectory;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    concord = await startConcord('routerredelivery');
    alice = await concord.addAccount('alice', 'alice-secret');
    bob = await concord.addAccount('bob', 'bob-secret');
    bobPhone = await xmppjsOnline(concord, 'bob.phone', 'bob', 'bob-secret', { userAgentId: randomUUID() });
    const cfg = testConfig(concord.name);
    bus = await Bus.connect({ servers: cfg.natsUrls, name: 'test-router', prefix: cfg.busPrefix, partitions: cfg.busPartitions, log: createLogger('test', 'warn') });
    cassandra = await connectCassandra({ ...cassandraSettings(cfg), keyspace: cfg.cassandraKeyspace });
    const kv = await bus.kv('sessions');
    directory = await SessionDirectory.open(kv, bus.settings.sessionTtlMs);
    const archive = new ArchiveStore(cassandra);
    const log = createLogger('test', 'warn');
    ctx = {
      bus, registry: new SessionRegistry(kv), sessions: directory, pushAccounts: await PushAccounts.open(await bus.kv('pushAccounts')),
      domain: concord.domain, log, archive, idCheck: new IdCheck(archive, log), appliedThrough: new AppliedThrough(),
    };
  }, 60_000);

  afterAll(async () => {
    await bobPhone?.kill();
    await directory?.stop();
    await ctx?.pushAccounts.stop();
    await bus?.close();
    await cassandra?.shutdown();
    await concord?.stop();
  });

  /** alice's message as the gateway accepted it, from a session that is gone (its gateway too). */
  const accepted = (originId: string, body: string) => {
    const xml = `<message xmlns='jabber:client' from='${alice}/gone' to='${bob}' type='chat' id='${originId}'><body>${body}</body><origin-id xmlns='urn:xmpp:sid:0' id='${originId}'/></message>`;
    const inbound = proto.events.v1.InboundStanza.fromPartial({
      id: `gone:${originId}`, account: alice, from: `${alice}/gone`, gatewayNode: 'gone', streamId: 'gone', streamSeq: 1,
      clientId: 'gone-client', imNg: true, xml, receivedAtMs: Date.now(),
    });
    return { inbound, stanza: parseElement(xml, undefined, NS.client) };
  };
  const copiesOn = (body: string) => bobPhone.events.filter((e) => e.event === 'element' && (e.xml ?? '').includes(`<body>${body}</body>`));

  it('delivers it once to bob.phone, however often it is routed again, and never for a client re-send', async () => {
    const m = accepted('m-1', 'routed twice');
    // The dead router: archived both copies, delivered to nobody, never acked the stanza.
    const nobodyOnline = { ...ctx, sessions: { ofAccount: async () => [] } as unknown as SessionDirectory };
    expect(await routeMessage(nobodyOnline, m.inbound, m.stanza, false)).toBe('archive-commits');
    const bobCopy = predictedArchiveId(bob, `${alice}\ngone-client`, 'm-1');
    await eventually(async () => ((await concord.archived(bob)).some((r) => r.archiveId === bobCopy) ? true : undefined), 10_000, "bob's copy archived");
    await eventually(async () => ((await concord.archived(alice)).length === 1 ? true : undefined), 10_000, "alice's copy archived");

    // The next router gets the stanza again: archived already, but delivered, and acked by the router.
    expect(await routeMessage(ctx, m.inbound, m.stanza, true)).toBe('already-archived');
    const delivered = await bobPhone.waitFor((e) => e.event === 'element' && (e.xml ?? '').includes('<body>routed twice</body>'), 10_000, 'the live copy');
    expect(delivered.xml).toContain(bobCopy);
    // Routed again once more (a second router death), then a client re-send of the same message.
    expect(await routeMessage(ctx, m.inbound, m.stanza, true)).toBe('already-archived');
    expect(await routeMessage(ctx, m.inbound, m.stanza, false)).toBe('already-archived');
    // A later message on the same connection arrives after anything those sent.
    const after = accepted('m-2', 'the next one');
    expect(await routeMessage(ctx, after.inbound, after.stanza, false)).toBe('archive-commits');
    await bobPhone.waitFor((e) => e.event === 'element' && (e.xml ?? '').includes('<body>the next one</body>'), 10_000, 'the next message');
    expect(copiesOn('routed twice')).toHaveLength(1);
    expect((await concord.archived(bob)).filter((r) => r.archiveId === bobCopy)).toHaveLength(1);
  });
});
