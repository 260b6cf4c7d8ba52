/**
 * `concordctl archive rebuild` (DESIGN §4: the archive tables are a projection of the history
 * stream). alice.laptop, bob.phone and carol.desktop chat over XMPP through the real services;
 * an admin tool retracts one of bob's messages and deletes carol's archive over the gRPC API.
 * The archive tables and what clients read from them (XEP-0313, gRPC Query and
 * ListConversations) are copied, the rows dropped, and the real concordctl binary rebuilds
 * them from the stream while the services keep running: the result equals the copy.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Client } from 'cassandra-driver';
import type { ArchiveClient } from '@concord/archive-client-example';
import { cassandraSettings } from '@concord/runtime';
import { ARCHIVE_TABLES, bucketOf, connectCassandra, type ArchiveStats } from '@concord/storage';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { concordctl } from '../support/concordctl';
import type { ClientDriver } from '../support/driver';
import { ADMIN_TOKEN, archiveClient, CALLERS_ENV, say } from '../support/archive-api';
import { eventually, requireStack, testConfig } from '../support/stack';

/** Tables written with the event's position as cell timestamp: the copy keeps those timestamps too. */
const COLUMNS: Partial<Record<(typeof ARCHIVE_TABLES)[number], string>> = {
  archive_conversations: 'owner, with_jid, last_position, last_bucket, last_archive_id, last_ts, read_through, WRITETIME(last_position) AS wt_last, WRITETIME(read_through) AS wt_read',
  archive_changes: 'owner, position, kind, target_id, WRITETIME(kind) AS wt_kind',
};

describe('concordctl archive rebuild', () => {
  requireStack();
  let concord: RunningConcord;
  let cassandra: Client;
  let admin: ArchiveClient;
  let aliceLaptop: ClientDriver;
  let bobPhone: ClientDriver;
  let carolDesktop: ClientDriver;
  let mamQueries = 0;
  const jid = (local: string) => `${local}@${concord.domain}`;
  const accounts = () => ['alice', 'bob', 'carol'].map(jid);

  beforeAll(async () => {
    concord = await startConcord('rebuild', CALLERS_ENV);
    for (const local of ['alice', 'bob', 'carol']) await concord.addAccount(local, `${local}-secret`);
    cassandra = await connectCassandra({ ...cassandraSettings(testConfig(concord.name)), keyspace: concord.name });
    admin = archiveClient(concord, ADMIN_TOKEN);
    aliceLaptop = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
    bobPhone = await xmppjsOnline(concord, 'bob.phone', 'bob', 'bob-secret');
    carolDesktop = await xmppjsOnline(concord, 'carol.desktop', 'carol', 'carol-secret');

    for (let i = 1; i <= 3; i++) await say(aliceLaptop, jid('bob'), `a-${i}`, `hello bob ${i}`);
    await say(bobPhone, jid('alice'), 'b-1', 'hi alice');
    await say(carolDesktop, jid('alice'), 'c-1', 'lunch?');
    await say(carolDesktop, jid('bob'), 'c-2', 'hi bob, carol here');
    // A XEP-0333 marker: persistent, and it marks alice's conversation with bob read.
    await bobPhone.ok('send', { xml: `<message to='${jid('alice')}' type='chat' id='seen-1'><displayed xmlns='urn:xmpp:chat-markers:0' id='a-3'/></message>` });
    await bobPhone.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="seen-1"'), 15_000, 'the marker ack');
    const bobRows = await concord.archived(jid('bob'));
    await admin.retractMessage(jid('bob'), bobRows[1]!.archiveId);
    await admin.deleteAccountArchive(jid('carol'));
    await say(carolDesktop, jid('alice'), 'c-3', 'after the deletion');
  }, 120_000);

  afterAll(async () => {
    admin?.close();
    await Promise.all([aliceLaptop, bobPhone, carolDesktop].map((d) => d?.kill()));
    await cassandra?.shutdown();
    await concord?.stop();
  });

  /** Every projected table as sorted JSON rows, of one account or of all. */
  async function tables(owner?: string): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const table of ARCHIVE_TABLES) {
      const rows = (await cassandra.execute(`SELECT ${COLUMNS[table] ?? '*'} FROM ${table}`, [], { fetchSize: 10_000 })).rows;
      out[table] = rows.filter((r) => owner === undefined || r['owner'] === owner).map((r) => JSON.stringify(r)).sort();
    }
    return out;
  }

  /** What clients read: gRPC Query and ListConversations per account, bob.phone's XEP-0313 results. */
  async function answers(): Promise<unknown> {
    const grpc = await Promise.all(accounts().map(async (account) => ({
      history: (await admin.query({ account, pageSize: 100 })).messages,
      conversations: (await admin.listConversations(account)).conversations,
    })));
    const queryid = `mam-${++mamQueries}`;
    const fin = await bobPhone.ok<{ xml: string }>('iq', { xml: `<iq type='set'><query xmlns='urn:xmpp:mam:2' queryid='${queryid}'><set xmlns='http://jabber.org/protocol/rsm'><max>100</max></set></query></iq>` });
    const mam = bobPhone.events.filter((e) => e.event === 'element' && (e.xml ?? '').includes(`queryid="${queryid}"`))
      // Without the wrapping stanza, whose id is new at every delivery.
      .map((e) => /<(result|fin) [\s\S]*<\/\1>/.exec(e.xml!)![0].replace(queryid, 'Q'));
    return { grpc, mam, complete: fin.xml.includes('complete="true"') };
  }

  const ctl = (args: string[], env: Record<string, string> = {}) => concordctl(concord, args, env);

  async function dropRowsOf(owner: string, which: 'messages' | 'ids'): Promise<void> {
    if (which === 'ids') {
      await cassandra.execute('DELETE FROM archive_ids WHERE owner = ?', [owner]);
      return;
    }
    for (const r of (await cassandra.execute('SELECT bucket FROM archive_buckets WHERE owner = ?', [owner])).rows) {
      await cassandra.execute('DELETE FROM archive_messages WHERE owner = ? AND bucket = ?', [owner, r['bucket']]);
    }
  }

  it('rebuilds every account: rows, conversation state and answers equal the copy', async () => {
    const rows = await tables();
    const read = await answers();
    expect(rows['archive_messages']!.length).toBeGreaterThanOrEqual(10);
    expect(rows['archive_changes']!.some((r) => r.includes('"retract"'))).toBe(true);
    expect(rows['archive_changes']!.some((r) => r.includes('"delete"'))).toBe(true);

    for (const table of ARCHIVE_TABLES) await cassandra.execute(`TRUNCATE ${table}`, [], { prepare: false });
    expect((await admin.query({ account: jid('bob') })).messages).toEqual([]);

    const run = await ctl(['archive', 'rebuild']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/rebuilding the archive of every account from T_REBUILD_\w+_HISTORY \(sequences 1\.\.\d+\)/i);
    expect(run.stdout).toMatch(/rebuilt: \d+ events read up to position \d+, \d+ applied .*retracted 1, deleted 1/);
    expect(await tables()).toEqual(rows);
    expect(await answers()).toEqual(read);
  });

  it('rebuilds one account and leaves the others as they are', async () => {
    const rows = await tables();
    const read = await answers();
    await dropRowsOf(jid('alice'), 'messages');
    await dropRowsOf(jid('alice'), 'ids');
    // Bob's rows are damaged too: a rebuild of alice must not repair (or touch) them.
    await dropRowsOf(jid('bob'), 'ids');
    const damagedBob = await tables(jid('bob'));

    const run = await ctl(['archive', 'rebuild', jid('alice')]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`cleared the archive of ${jid('alice')} (1 bucket)`);
    expect(await tables(jid('alice'))).toEqual(pick(rows, jid('alice')));
    expect(await tables(jid('bob'))).toEqual(damagedBob);
    expect(await tables(jid('carol'))).toEqual(pick(rows, jid('carol')));

    expect((await ctl(['archive', 'rebuild', jid('bob')])).status).toBe(0);
    expect(await tables()).toEqual(rows);
    expect(await answers()).toEqual(read);

    // The live archive goes on as before.
    await say(aliceLaptop, jid('bob'), 'a-4', 'after the rebuild');
    expect((await concord.archived(jid('bob'))).at(-1)!.stanza).toContain('after the rebuild');
  });

  it('archive stats counts the messages and names both ends and the buckets', async () => {
    const rows = await concord.archived(jid('alice'));
    const run = await ctl(['archive', 'stats', jid('alice'), '--json']);
    expect(run.status).toBe(0);
    const stats = JSON.parse(run.stdout) as ArchiveStats;
    expect(stats).toMatchObject({
      owner: jid('alice'), messages: rows.length, conversations: 2,
      first: { archiveId: rows[0]!.archiveId, position: rows[0]!.position, timestampMs: rows[0]!.timestampMs },
      last: { archiveId: rows.at(-1)!.archiveId, position: rows.at(-1)!.position },
    });
    expect(stats.buckets.map((b) => b.messages)).toEqual([rows.length]);
    const text = await ctl(['archive', 'stats', jid('alice')]);
    expect(text.stdout).toMatch(new RegExp(`messages\\s+${rows.length}\\n`));
    expect((await ctl(['archive', 'stats'])).status).toBe(64);
  });

  it('skips messages older than CONCORD_ARCHIVE_RETENTION, and rows come back once it allows them', async () => {
    const carol = jid('carol');
    const rows = await tables(carol);
    expect(rows['archive_messages']).toHaveLength(1);
    const oldest = (await concord.archived(carol))[0]!.timestampMs;
    await eventually(async () => (Date.now() - oldest > 1_000 ? true : undefined), 5_000, 'the message to be older than 1s');

    const short = await ctl(['archive', 'rebuild', carol], { CONCORD_ARCHIVE_RETENTION: '1s' });
    expect(short.status).toBe(0);
    expect(short.stdout).toContain('retention 1s: older messages are skipped');
    expect(short.stdout).toMatch(/written 0, duplicate 0, expired [1-9]/);
    expect(await concord.archived(carol)).toEqual([]);

    expect((await ctl(['archive', 'rebuild', carol], { CONCORD_ARCHIVE_RETENTION: '3650d' })).status).toBe(0);
    const ttl = (await cassandra.execute('SELECT TTL(stanza) AS ttl FROM archive_messages WHERE owner = ? AND bucket = ?', [carol, bucketOf(oldest)])).first()!['ttl'];
    expect(Number(ttl)).toBeGreaterThan(3649 * 86_400);
    expect((await ctl(['archive', 'rebuild', carol])).status).toBe(0);
    expect(await tables(carol)).toEqual(rows);
  });

  it('refuses to clear rows whose events the stream no longer holds, unless forced', async () => {
    const rows = await tables();
    // What CONCORD_HISTORY_MAX_AGE does to old events: the stream keeps only the newer ones.
    const nc = await connect({ servers: testConfig(concord.name).natsUrls });
    const stream = `${concord.name.toUpperCase()}_HISTORY`;
    const firstKept = (await concord.archived(jid('bob'))).at(-1)!.position;
    try {
      await (await jetstreamManager(nc)).streams.purge(stream, { seq: firstKept });
    } finally {
      await nc.close();
    }

    const refused = await ctl(['archive', 'rebuild', jid('bob')]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain(`the history stream starts at sequence ${firstKept}: the events before it are gone`);
    expect(refused.stdout).toContain('Nothing was changed');
    expect(await tables()).toEqual(rows);

    const forced = await ctl(['archive', 'rebuild', jid('bob'), '--force']);
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain('their rows are cleared and not rebuilt (--force)');
    expect((await concord.archived(jid('bob'))).map((r) => r.position)).toEqual([firstKept]);
  });

  /** One account's rows out of a copy of every table. */
  function pick(all: Record<string, string[]>, owner: string): Record<string, string[]> {
    return Object.fromEntries(Object.entries(all).map(([t, rows]) => [t, rows.filter((r) => (JSON.parse(r) as { owner: string }).owner === owner)]));
  }
});
