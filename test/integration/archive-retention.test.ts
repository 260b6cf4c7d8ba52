/**
 * Expiry by age (CONCORD_ARCHIVE_RETENTION): the archive projection writes its rows with a
 * Cassandra TTL counted from the message's time, on the real Cassandra. A row written under a
 * short retention is gone once it has passed, a retraction's tombstone expires with its row,
 * and a message already older than the retention is not written at all.
 */
import type { Client } from 'cassandra-driver';
import { applyHistoryEvent } from '@concord/archive';
import type { HistoryEvent } from '@concord/events';
import { concord } from '@concord/proto';
import { cassandraSettings } from '@concord/runtime';
import { ArchiveStore, bucketOf, connectCassandra, retentionOf } from '@concord/storage';
import { createKeyspace, dropKeyspace, eventually, requireStack, testConfig, uniqueName } from '../support/stack';

const Kind = concord.events.v1.HistoryEvent_Kind;
const RETENTION_MS = 3_000;

function chat(owner: string, n: number, timestampMs: number): HistoryEvent {
  return concord.events.v1.HistoryEvent.fromPartial({
    owner, archiveId: `id-${n}`, with: 'bob@x', outgoing: false, originId: `o-${n}`, timestampMs,
    xml: `<message xmlns='jabber:client' type='chat' id='o-${n}'><body>message ${n}</body></message>`,
  });
}

describe('archive retention', () => {
  requireStack();
  const cfg = testConfig(uniqueName('retention'));
  let client: Client;
  let store: ArchiveStore;

  beforeAll(async () => {
    await createKeyspace(cfg);
    client = await connectCassandra({ ...cassandraSettings(cfg), keyspace: cfg.cassandraKeyspace });
    store = new ArchiveStore(client, retentionOf(RETENTION_MS));
  });
  afterAll(async () => {
    await client?.shutdown();
    await dropKeyspace(cfg);
  });

  const rows = async (owner: string) => {
    const out = [];
    for await (const r of store.all(owner)) out.push(r);
    return out;
  };
  const ttlOfRow = async (owner: string, sentMs: number, position: number) =>
    (await client.execute('SELECT TTL(stanza) AS ttl FROM archive_messages WHERE owner = ? AND bucket = ? AND position = ?', [owner, bucketOf(sentMs), position])).first()?.['ttl'];
  const gone = (owner: string, what: string) => eventually(async () => ((await rows(owner)).length === 0 ? true : undefined), 20_000, what);

  it('a row written under a short retention is gone once the retention has passed', async () => {
    const owner = 'expiring@x';
    const sent = Date.now();
    expect(await applyHistoryEvent(store, chat(owner, 1, sent), 1)).toBe('written');
    const [row] = await rows(owner);
    expect(row).toMatchObject({ archiveId: 'id-1', position: 1 });
    const ttl = await ttlOfRow(owner, sent, 1);
    expect(Number(ttl)).toBeGreaterThan(0);
    expect(Number(ttl)).toBeLessThanOrEqual(RETENTION_MS / 1000);

    await gone(owner, 'the row to expire');
    // Not before its time (TTLs count whole seconds, rounded up).
    expect(Date.now() - sent).toBeGreaterThanOrEqual(RETENTION_MS - 1000);
    expect(await store.byId(owner, 'id-1')).toBeUndefined();
  });

  it('a retraction tombstone expires with the row it replaced, leaving no partial row', async () => {
    const owner = 'retracted@x';
    const sent = Date.now();
    await applyHistoryEvent(store, chat(owner, 1, sent), 1);
    const retract = concord.events.v1.HistoryEvent.fromPartial({ owner, kind: Kind.KIND_RETRACT, targetArchiveId: 'id-1', timestampMs: sent + 10 });
    expect(await applyHistoryEvent(store, retract, 2)).toBe('retracted');
    expect((await rows(owner))[0]!.stanza).toContain('urn:xmpp:message-retract:1');
    await gone(owner, 'the retracted row to expire');
    const left = await client.execute('SELECT position FROM archive_messages WHERE owner = ? AND bucket = ?', [owner, bucketOf(sent)]);
    expect(left.rowLength).toBe(0);
  });

  it('a message already older than the retention is skipped, and a replay of it too', async () => {
    const owner = 'late@x';
    const old = chat(owner, 1, Date.now() - RETENTION_MS - 1_000);
    expect(await applyHistoryEvent(store, old, 1)).toBe('expired');
    expect(await applyHistoryEvent(store, chat(owner, 2, Date.now()), 2)).toBe('written');
    expect((await rows(owner)).map((r) => r.archiveId)).toEqual(['id-2']);
    expect(await store.byId(owner, 'id-1')).toBeUndefined();
  });

  it('without a retention rows carry no TTL', async () => {
    const owner = 'forever@x';
    const sent = Date.now();
    await applyHistoryEvent(new ArchiveStore(client), chat(owner, 1, sent), 1);
    expect(await ttlOfRow(owner, sent, 1)).toBeNull();
  });
});
