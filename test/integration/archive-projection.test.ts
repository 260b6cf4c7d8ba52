/**
 * The archive is a projection of the history stream (DESIGN §4): applying the events again —
 * each one twice, then the whole sequence once more from the start — leaves exactly the state
 * that applying them once does, retraction and deletion included. On the real Cassandra.
 */
import type { Client } from 'cassandra-driver';
import { applyHistoryEvent } from '@concord/archive';
import type { HistoryEvent } from '@concord/events';
import { concord } from '@concord/proto';
import { cassandraSettings } from '@concord/runtime';
import { ArchiveStore, connectCassandra, ConversationStore } from '@concord/storage';
import { createKeyspace, dropKeyspace, requireStack, testConfig, uniqueName } from '../support/stack';

const Kind = concord.events.v1.HistoryEvent_Kind;
const T0 = Date.UTC(2026, 0, 1);

/** Far above Cassandra's batch size limit (50 KiB by default): such a row is not batched. */
const LARGE_BODY = `and again ${'z'.repeat(200_000)}`;

/** One account's history: a chat with bob and carol, a marker, a retraction, a deletion, more chat (the last message large). */
function history(owner: string): [number, HistoryEvent][] {
  const msg = (n: number, peer: string, outgoing: boolean, body: string | undefined): HistoryEvent => concord.events.v1.HistoryEvent.fromPartial({
    owner, archiveId: `id-${n}`, with: peer, outgoing, originId: `o-${n}`, timestampMs: T0 + n * 1000,
    xml: `<message xmlns='jabber:client' type='chat' id='o-${n}'>${body ? `<body>${body}</body>` : `<displayed xmlns='urn:xmpp:chat-markers:0' id='o-1'/>`}</message>`,
  });
  return [
    [10, msg(10, 'bob@x', false, 'hi')],
    [12, msg(12, 'bob@x', false, 'there?')],
    [13, msg(13, 'carol@x', false, 'lunch?')],
    [15, msg(15, 'bob@x', true, undefined)],
    [17, msg(17, 'bob@x', false, 'news')],
    [18, concord.events.v1.HistoryEvent.fromPartial({ owner, kind: Kind.KIND_RETRACT, targetArchiveId: 'id-12', timestampMs: T0 + 18_000 })],
    [20, msg(20, 'carol@x', true, 'yes')],
    [22, concord.events.v1.HistoryEvent.fromPartial({ owner, kind: Kind.KIND_DELETE_ARCHIVE, timestampMs: T0 + 22_000 })],
    [25, msg(25, 'bob@x', false, 'again')],
    [26, msg(26, 'carol@x', false, 'later')],
    [27, concord.events.v1.HistoryEvent.fromPartial({ owner, kind: Kind.KIND_RETRACT, targetArchiveId: 'id-26', timestampMs: T0 + 27_000 })],
    [30, msg(30, 'bob@x', false, LARGE_BODY)],
  ];
}

/** Everything the projection keeps for one account, without the account's name. */
async function snapshot(client: Client, owner: string) {
  const store = new ArchiveStore(client);
  const rows = [];
  for await (const r of store.all(owner)) rows.push({ ...r, owner: undefined });
  const conversations = await new ConversationStore(client).list(owner);
  const select = async (cql: string, params: unknown[]) => (await client.execute(cql, params)).rows.map((r) => JSON.stringify({ ...r, owner: undefined }));
  return {
    rows,
    ids: (await select('SELECT * FROM archive_ids WHERE owner = ?', [owner])).sort(),
    buckets: await select('SELECT * FROM archive_buckets WHERE owner = ?', [owner]),
    conversations: conversations.map((c) => ({ ...c, owner: undefined })).sort((a, b) => a.with.localeCompare(b.with)),
    incoming: await Promise.all(conversations.map((c) => select('SELECT position FROM archive_incoming WHERE owner = ? AND with_jid = ?', [owner, c.with]))),
    changes: await select('SELECT * FROM archive_changes WHERE owner = ?', [owner]),
  };
}

describe('archive projection', () => {
  requireStack();
  const cfg = testConfig(uniqueName('projection'));
  let client: Client;

  beforeAll(async () => {
    await createKeyspace(cfg);
    client = await connectCassandra({ ...cassandraSettings(cfg), keyspace: cfg.cassandraKeyspace });
  });
  afterAll(async () => {
    await client?.shutdown();
    await dropKeyspace(cfg);
  });

  it('is rebuilt identically by a replay, and every event is idempotent', async () => {
    const store = new ArchiveStore(client);
    for (const [position, e] of history('once@x')) await applyHistoryEvent(store, e, position);
    for (const [position, e] of history('twice@x')) {
      await applyHistoryEvent(store, e, position);
      await applyHistoryEvent(store, e, position);
    }
    for (const [position, e] of history('twice@x')) await applyHistoryEvent(store, e, position);
    // Written without the ID index read (on the router's proof), replays included.
    for (const [position, e] of [...history('unread-ids@x'), ...history('unread-ids@x')]) await applyHistoryEvent(store, e, position, { readIdIndex: false });

    const once = await snapshot(client, 'once@x');
    expect(await snapshot(client, 'twice@x')).toEqual(once);
    expect(await snapshot(client, 'unread-ids@x')).toEqual(once);

    // What the sequence leaves: only what came after the deletion, the retraction after it kept.
    expect(once.rows.map((r) => [r.position, r.archiveId])).toEqual([[25, 'id-25'], [26, 'id-26'], [30, 'id-30']]);
    expect(once.rows[1]!.stanza).toContain('urn:xmpp:message-retract:1');
    expect(once.rows[2]!.stanza).toContain(LARGE_BODY);
    expect(once.changes.map((c) => JSON.parse(c).kind)).toEqual(['delete', 'retract']);
    expect(once.conversations.map((c) => [c.with, c.lastArchiveId, c.readThrough])).toEqual([['bob@x', 'id-30', 0], ['carol@x', 'id-26', 0]]);
    const conversations = new ConversationStore(client);
    expect(await conversations.unread('once@x', 'bob@x', 0)).toEqual({ count: 2, capped: false });
    expect(await conversations.unread('once@x', 'carol@x', 0)).toEqual({ count: 0, capped: false });
  });

  it('counts unread after the last outgoing stanza, markers included', async () => {
    const store = new ArchiveStore(client);
    const owner = 'reader@x';
    for (const [position, e] of history(owner).slice(0, 6)) await applyHistoryEvent(store, e, position);
    const [bob] = (await new ConversationStore(client).list(owner)).filter((c) => c.with === 'bob@x');
    // The marker at 15 read 10 and 12; 17 is unread; 12 was retracted anyway.
    expect(bob).toMatchObject({ readThrough: 15, lastArchiveId: 'id-17' });
    expect(await new ConversationStore(client).unread(owner, 'bob@x', bob!.readThrough)).toEqual({ count: 1, capped: false });
  });
});
