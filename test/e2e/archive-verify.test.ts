/**
 * The archive verifies and repairs its projection from the history stream (DESIGN §3.4).
 * alice.laptop, bob.phone and carol.desktop chat over XMPP through the real services (the
 * archive in its own process); alice retracts one of her messages and carol's archive is
 * deleted, as the gRPC API does it (lifecycle events on the history stream). Rows are then
 * deleted behind the archive's back, as writes Cassandra acknowledged and lost in a crash
 * would look. A restarted archive finds and repairs them; `concordctl archive verify` reports
 * them, then repairs them with --repair. The retracted message comes back as a tombstone, and
 * the deleted account's message does not come back at all.
 */
import type { Client } from 'cassandra-driver';
import { partitionOf, publishEvent, type Bus } from '@concord/bus';
import { HistoryEventType } from '@concord/events';
import { concord as proto } from '@concord/proto';
import { cassandraSettings } from '@concord/runtime';
import { bucketOf, connectCassandra, type ArchivedRow } from '@concord/storage';
import { say } from '../support/archive-api';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { concordctl } from '../support/concordctl';
import type { ClientDriver } from '../support/driver';
import { connectBus } from '../support/history';
import { eventually, requireStack, testConfig } from '../support/stack';
const Kind = proto.events.v1.HistoryEvent_Kind;

describe('the archive verifies and repairs itself from the history stream', () => {
  requireStack();
  let concord: RunningConcord;
  let cassandra: Client;
  let bus: Bus;
  let aliceLaptop: ClientDriver;
  let bobPhone: ClientDriver;
  let carolDesktop: ClientDriver;
  const jid = (local: string) => `${local}@${concord.domain}`;
  const accounts = () => ['alice', 'bob', 'carol'].map(jid);

  beforeAll(async () => {
    concord = await startConcord('verify', {}, { archiveProcess: true });
    for (const local of ['alice', 'bob', 'carol']) await concord.addAccount(local, `${local}-secret`);
    cassandra = await connectCassandra({ ...cassandraSettings(testConfig(concord.name)), keyspace: concord.name });
    bus = await connectBus(concord, 'archive-verify-test');
    aliceLaptop = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
    bobPhone = await xmppjsOnline(concord, 'bob.phone', 'bob', 'bob-secret');
    carolDesktop = await xmppjsOnline(concord, 'carol.desktop', 'carol', 'carol-secret');

    for (let i = 1; i <= 3; i++) await say(aliceLaptop, jid('bob'), `a-${i}`, `hello bob ${i}`);
    await say(bobPhone, jid('alice'), 'b-1', 'hi alice');
    await say(carolDesktop, jid('alice'), 'c-1', 'carol here');
    // alice retracts a-2 in her archive; carol's archive is deleted.
    await lifecycle(jid('alice'), { kind: Kind.KIND_RETRACT, targetArchiveId: (await row(jid('alice'), 'a-2')).archiveId }, 'retract-a-2');
    await lifecycle(jid('carol'), { kind: Kind.KIND_DELETE_ARCHIVE }, 'delete-carol');
    await eventually(async () => ((await row(jid('alice'), 'a-2')).stanza.includes('<retracted') ? true : undefined), 15_000, 'the retraction');
    await eventually(async () => ((await concord.archived(jid('carol'))).length === 0 ? true : undefined), 15_000, 'the deletion');
    // Everything is acked by the archive's consumer: only the verifier can bring rows back.
    await eventually(async () => {
      const stream = bus.names.stream('history');
      const [info, consumer] = await Promise.all([bus.jsm.streams.info(stream), bus.jsm.consumers.info(stream, bus.names.durable('archive', 'history'))]);
      return consumer.ack_floor.stream_seq === info.state.last_seq ? true : undefined;
    }, 15_000, 'the archive to ack every history event');
  }, 120_000);

  afterAll(async () => {
    await Promise.all([aliceLaptop, bobPhone, carolDesktop].map((d) => d?.kill()));
    await bus?.close();
    await cassandra?.shutdown();
    await concord?.stop();
  });

  /** Publishes a lifecycle event on the owner's history partition, as the gRPC API does. */
  async function lifecycle(owner: string, fields: Partial<proto.events.v1.HistoryEvent>, msgId: string): Promise<void> {
    await publishEvent(bus.publisher, bus.names.subjects.history(partitionOf(owner, bus.names.partitions)), HistoryEventType,
      proto.events.v1.HistoryEvent.fromPartial({ owner, timestampMs: Date.now(), ...fields }), { msgId, account: owner });
  }

  async function row(owner: string, originId: string): Promise<ArchivedRow> {
    const found = (await concord.archived(owner)).find((r) => r.originId === originId);
    if (!found) throw new Error(`${owner} has no row for ${originId}`);
    return found;
  }

  /** Every account's rows and ID index entries. */
  async function archive(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const owner of accounts()) {
      const ids = (await cassandra.execute('SELECT archive_id, position FROM archive_ids WHERE owner = ?', [owner])).rows.map((r) => `${r['archive_id']}@${r['position']}`).sort();
      out[owner] = { rows: await concord.archived(owner), ids };
    }
    return out;
  }

  /**
   * Lost writes, as Cassandra would lose them: alice's a-1 entirely (row and ID), her
   * retracted a-2 entirely, and bob's row of a-3 (its ID stays). Returns the holes expected.
   */
  async function loseWrites(): Promise<{ owner: string; archiveId: string; position: number; kind: string }[]> {
    const lost = [
      { ...(await row(jid('alice'), 'a-1')), kind: 'missing' },
      { ...(await row(jid('alice'), 'a-2')), kind: 'missing' },
      { ...(await row(jid('bob'), 'a-3')), kind: 'row-lost' },
    ];
    for (const r of lost) {
      await cassandra.execute('DELETE FROM archive_messages WHERE owner = ? AND bucket = ? AND position = ?', [r.owner, bucketOf(r.timestampMs), r.position]);
      if (r.kind === 'missing') await cassandra.execute('DELETE FROM archive_ids WHERE owner = ? AND archive_id = ?', [r.owner, r.archiveId]);
    }
    return lost.map((r) => ({ owner: r.owner, archiveId: r.archiveId, position: r.position, kind: r.kind }));
  }

  const ctl = (args: string[], env: Record<string, string> = {}) => concordctl(concord, args, env);

  it('a restarted archive finds the lost writes and repairs them: the retraction holds, the deletion too', async () => {
    const before = await archive();
    await loseWrites();
    expect(await archive()).not.toEqual(before);

    await concord.killAndRestartArchive();
    await eventually(async () => (JSON.stringify(await archive()) === JSON.stringify(before) ? true : undefined), 30_000, 'the archive to repair itself');
    expect(await archive()).toEqual(before);
    expect((await row(jid('alice'), 'a-2')).stanza).toContain('<retracted');
    expect(await concord.archived(jid('carol'))).toEqual([]);

    // The live archive goes on as before.
    await say(bobPhone, jid('alice'), 'b-2', 'after the repair');
    expect((await row(jid('alice'), 'b-2')).stanza).toContain('after the repair');
  }, 90_000);

  it('concordctl archive verify reports the holes, then repairs them with --repair', async () => {
    const before = await archive();
    const lost = await loseWrites();

    const report = await ctl(['archive', 'verify']);
    expect(report.stderr).toBe('');
    expect(report.status).toBe(1);
    const holes = report.stdout.split('\n').filter((l) => l.startsWith('hole\t'));
    expect(holes.map((l) => l.split('\t').slice(1, 4).join(' ')).sort())
      .toEqual(lost.map((h) => `${h.owner} ${h.archiveId} position ${h.position}`).sort());
    for (const h of lost) expect(holes.find((l) => l.includes(`position ${h.position}\t`))).toContain(`\t${h.kind}: `);
    expect(report.stdout).toMatch(/verified: \d+ events checked \(positions 1\.\.\d+\) in [\d.]+s: 3 holes \(missing 2, row-lost 1\); run again with --repair/);
    expect(await archive()).not.toEqual(before);

    const one = await ctl(['archive', 'verify', '--account', jid('bob'), '--from-seq', '1']);
    expect(one.status).toBe(1);
    expect(one.stdout.split('\n').filter((l) => l.startsWith('hole\t'))).toEqual([expect.stringContaining(`\t${jid('bob')}\t`)]);

    const repair = await ctl(['archive', 'verify', '--repair']);
    expect(repair.status).toBe(0);
    expect(repair.stdout.split('\n').filter((l) => l.startsWith('repaired\t'))).toHaveLength(3);
    expect(repair.stdout).toContain('3 holes (missing 2, row-lost 1), 3 repaired');
    expect(await archive()).toEqual(before);
    expect((await row(jid('alice'), 'a-2')).stanza).toContain('<retracted');
    expect(await concord.archived(jid('carol'))).toEqual([]);

    const again = await ctl(['archive', 'verify', '--since', '1h']);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/: no holes$/m);
  }, 90_000);

  it('finds a lost retraction and a lost deletion, and applies them again', async () => {
    const before = await archive();
    // alice's tombstone of a-2 overwritten by a message again: the retraction's write lost.
    const retracted = await row(jid('alice'), 'a-2');
    await cassandra.execute('UPDATE archive_messages SET stanza = ? WHERE owner = ? AND bucket = ? AND position = ?',
      [retracted.stanza.replace(/<retracted [^>]*\/>/, '<body>back from the dead</body>'), retracted.owner, bucketOf(retracted.timestampMs), retracted.position]);
    // carol's c-1 back in her deleted archive: the deletion's writes lost.
    const c1 = await row(jid('alice'), 'c-1');
    await cassandra.execute('INSERT INTO archive_messages (owner, bucket, position, archive_id, with_jid, outgoing, ts, origin_id, stanza) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [jid('carol'), bucketOf(c1.timestampMs), c1.position, 'carol-c-1', jid('alice'), true, new Date(c1.timestampMs), 'c-1', c1.stanza]);
    await cassandra.execute('INSERT INTO archive_buckets (owner, bucket) VALUES (?, ?)', [jid('carol'), bucketOf(c1.timestampMs)]);
    expect(await concord.archived(jid('carol'))).toHaveLength(1);

    const report = await ctl(['archive', 'verify', '--repair']);
    expect(report.status).toBe(0);
    const holes = report.stdout.split('\n').filter((l) => l.startsWith('hole\t'));
    expect(holes).toEqual([
      expect.stringMatching(new RegExp(`^hole\t${jid('alice')}\t${retracted.archiveId}\tposition \\d+\tretraction-lost: `)),
      expect.stringMatching(new RegExp(`^hole\t${jid('carol')}\t-\tposition \\d+\tdeletion-lost: `)),
    ]);
    expect(report.stdout).toContain('2 holes (retraction-lost 1, deletion-lost 1), 2 repaired');
    expect(await archive()).toEqual(before);
  }, 90_000);
});
