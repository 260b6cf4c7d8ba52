/**
 * The gRPC archive API (docs/grpc.md) through a real gRPC client (@grpc/grpc-js with the
 * ts-proto generated client) against the real stack: alice.laptop and bob.phone chat over XMPP
 * (gateway, router, archive on NATS and Cassandra), and an internal support tool and an admin
 * tool read, retract and delete through the API.
 */
import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, makeGenericClientConstructor, Metadata, status, type Client } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import type { ArchiveClient } from '@concord/archive-client-example';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import type { ClientDriver } from '../support/driver';
import { ADMIN_TOKEN, apiAddress, archiveClient, CALLERS_ENV, say, SUPPORT_TOKEN } from '../support/archive-api';
import { requireStack } from '../support/stack';

describe('gRPC archive API', () => {
  requireStack();
  let concord: RunningConcord;
  let aliceLaptop: ClientDriver;
  let bobPhone: ClientDriver;
  let support: ArchiveClient;
  let admin: ArchiveClient;
  const alice = () => `alice@${concord.domain}`;
  const bob = () => `bob@${concord.domain}`;

  beforeAll(async () => {
    concord = await startConcord('grpcapi', CALLERS_ENV);
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('bob', 'bob-secret');
    aliceLaptop = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
    bobPhone = await xmppjsOnline(concord, 'bob.phone', 'bob', 'bob-secret');
    support = archiveClient(concord, SUPPORT_TOKEN);
    admin = archiveClient(concord, ADMIN_TOKEN);
    for (let i = 1; i <= 5; i++) await say(aliceLaptop, bob(), `hello-${i}`, `hello bob ${i}`);
  }, 90_000);

  afterAll(async () => {
    support?.close();
    admin?.close();
    await Promise.all([aliceLaptop, bobPhone].map((d) => d?.kill()));
    await concord?.stop();
  });

  it('refuses calls without credentials, with a wrong token, and methods the caller is not allowed', async () => {
    const anonymous = archiveClient(concord);
    const impostor = archiveClient(concord, 'not-a-configured-token-000');
    try {
      await expect(anonymous.query({ account: bob() })).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
      await expect(impostor.query({ account: bob() })).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
      await expect(support.deleteAccountArchive(bob())).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
      await expect(support.retractMessage(bob(), 'anything')).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
      await expect(support.query({ account: 'not a jid@@' })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
      await expect(support.query({ account: `${bob()}/phone` })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    } finally {
      anonymous.close();
      impostor.close();
    }
    // Nothing was deleted by the refused call.
    expect((await support.query({ account: bob() })).messages).toHaveLength(5);
  });

  it('Query pages through an account history with page tokens, newest first, and filters', async () => {
    const all = (await support.query({ account: bob(), pageSize: 100 })).messages;
    expect(all.map((m) => m.body)).toEqual([1, 2, 3, 4, 5].map((i) => `hello bob ${i}`));
    expect(all.every((m) => !m.outgoing && m.with === alice() && m.xml.includes('<stanza-id'))).toBe(true);

    const pages: string[][] = [];
    let pageToken = '';
    do {
      const page = await support.query({ account: bob(), pageSize: 2, pageToken });
      pages.push(page.messages.map((m) => m.archiveId));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(all.map((m) => m.archiveId));

    const newest = await support.query({ account: bob(), pageSize: 2, newestFirst: true });
    expect(newest.messages.map((m) => m.archiveId)).toEqual([all[4]!.archiveId, all[3]!.archiveId]);
    const older = await support.query({ account: bob(), pageSize: 2, newestFirst: true, pageToken: newest.nextPageToken });
    expect(older.messages.map((m) => m.archiveId)).toEqual([all[2]!.archiveId, all[1]!.archiveId]);

    const between = await support.query({ account: bob(), afterId: all[0]!.archiveId, beforeId: all[3]!.archiveId });
    expect(between.messages.map((m) => m.archiveId)).toEqual([all[1]!.archiveId, all[2]!.archiveId]);
    expect((await support.query({ account: bob(), with: `carol@${concord.domain}` })).messages).toEqual([]);
    expect((await support.query({ account: bob(), startMs: all[4]!.timestampMs + 1 })).messages).toEqual([]);

    await expect(support.query({ account: bob(), afterId: 'no-such-id' })).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(support.query({ account: bob(), pageToken: 'garbage' })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    // A token is bound to its request's filters.
    await expect(support.query({ account: bob(), pageSize: 3, pageToken: pages.length > 1 ? newest.nextPageToken : '' })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('GetMessages returns messages by ID in order and lists the unknown ones', async () => {
    const all = (await support.query({ account: bob() })).messages;
    const r = await support.getMessages(bob(), [all[3]!.archiveId, 'unknown-id', all[1]!.archiveId]);
    expect(r.messages.map((m) => m.archiveId)).toEqual([all[1]!.archiveId, all[3]!.archiveId]);
    expect(r.missingIds).toEqual(['unknown-id']);
    await expect(support.getMessages(bob(), [])).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('ListConversations shows the last message, its time and unread counts that a reply or a displayed marker clears', async () => {
    let [conv] = (await support.listConversations(bob())).conversations;
    expect(conv).toMatchObject({ with: alice(), unread: 5, unreadCapped: false });
    expect(conv!.lastMessage!.body).toBe('hello bob 5');
    expect(conv!.lastTimestampMs).toBe(conv!.lastMessage!.timestampMs);

    // bob.phone sends a XEP-0333 displayed marker: everything before it counts as read.
    await bobPhone.ok('send', { xml: `<message to='${alice()}' type='chat' id='seen-1'><displayed xmlns='urn:xmpp:chat-markers:0' id='hello-5'/></message>` });
    await bobPhone.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="seen-1"'), 15_000, 'the marker ack');
    [conv] = (await support.listConversations(bob())).conversations;
    expect(conv).toMatchObject({ with: alice(), unread: 0 });
    expect(conv!.lastMessage!.body).toBe('hello bob 5');

    await say(aliceLaptop, bob(), 'hello-6', 'are you there?');
    await say(bobPhone, alice(), 'reply-1', 'yes');
    const [bobView] = (await support.listConversations(bob())).conversations;
    expect(bobView).toMatchObject({ with: alice(), unread: 0 });
    expect(bobView!.lastMessage).toMatchObject({ body: 'yes', outgoing: true });
    const [aliceView] = (await support.listConversations(alice())).conversations;
    expect(aliceView).toMatchObject({ with: bob(), unread: 1 });
    expect((await support.listConversations(`nobody@${concord.domain}`)).conversations).toEqual([]);
  });

  it('RetractMessage leaves a XEP-0424 tombstone in history, which XEP-0313 returns too', async () => {
    const target = (await support.query({ account: bob() })).messages[1]!;
    const r = await admin.retractMessage(bob(), target.archiveId);
    expect(r.alreadyRetracted).toBe(false);
    expect(r.tombstone).toMatchObject({ archiveId: target.archiveId, position: target.position, retracted: true, body: '' });
    expect(r.tombstone!.xml).toMatch(/<retracted xmlns=['"]urn:xmpp:message-retract:1['"] stamp=/);
    expect(r.tombstone!.xml).not.toContain('hello bob 2');

    const after = (await support.query({ account: bob() })).messages;
    expect(after.find((m) => m.archiveId === target.archiveId)).toMatchObject({ retracted: true, position: target.position });
    expect(after).toHaveLength(8);

    const mam = await bobPhone.ok<{ xml: string }>('iq', { xml: `<iq type='set'><query xmlns='urn:xmpp:mam:2' queryid='tomb'><set xmlns='http://jabber.org/protocol/rsm'><max>50</max></set></query></iq>` });
    expect(mam.xml).toContain('complete="true"');
    const result = bobPhone.events.find((e) => e.event === 'element' && (e.xml ?? '').includes('queryid="tomb"') && (e.xml ?? '').includes(target.archiveId));
    expect(result?.xml).toContain('urn:xmpp:message-retract:1');
    expect(result?.xml).not.toContain('hello bob 2');

    const again = await admin.retractMessage(bob(), target.archiveId);
    expect(again.alreadyRetracted).toBe(true);
    await expect(admin.retractMessage(bob(), 'no-such-id')).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('DeleteAccountArchive removes what was archived before it; later messages stay; the peer keeps its copy', async () => {
    const bobBefore = (await support.query({ account: bob() })).messages.length;
    const r = await admin.deleteAccountArchive(alice());
    expect(r.position).toBeGreaterThan(0);
    expect((await support.query({ account: alice() })).messages).toEqual([]);
    expect((await support.listConversations(alice())).conversations).toEqual([]);
    expect((await support.query({ account: bob() })).messages).toHaveLength(bobBefore);

    await say(aliceLaptop, bob(), 'after-delete', 'a fresh start');
    const fresh = (await support.query({ account: alice() })).messages;
    expect(fresh.map((m) => m.body)).toEqual(['a fresh start']);
    expect(fresh[0]!.position).toBeGreaterThan(r.position);
    const [conv] = (await support.listConversations(alice())).conversations;
    expect(conv).toMatchObject({ with: bob(), unread: 0 });
    expect(conv!.lastMessage!.body).toBe('a fresh start');
  });

  it('honours deadlines', async () => {
    const late = await new Promise<{ code: number }>((resolve) => {
      support.raw.query({ account: bob(), pageSize: 0, with: '', startMs: 0, endMs: 0, afterId: '', beforeId: '', newestFirst: false, pageToken: '' },
        support.metadata(), { deadline: Date.now() - 1 }, (err) => resolve(err as never));
    });
    expect(late.code).toBe(status.DEADLINE_EXCEEDED);

    // A Sync stream ends with DEADLINE_EXCEEDED once its deadline passes, after the history.
    const stream = support.sync(bob(), 0, 1_500);
    const events: unknown[] = [];
    stream.on('data', (e) => events.push(e));
    const err = await new Promise<{ code: number }>((resolve) => stream.on('error', resolve));
    expect(err.code).toBe(status.DEADLINE_EXCEEDED);
    expect(events.length).toBeGreaterThan(1);
  });

  it('serves grpc.health.v1 and server reflection without credentials', async () => {
    const Health = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');
    const health = new Health(apiAddress(concord), credentials.createInsecure()) as Client & Record<string, (...a: unknown[]) => unknown>;
    const checked = await new Promise<{ status: unknown }>((resolve, reject) =>
      health['Check']!({ service: 'concord.archive.v1.ArchiveService' }, (err: Error | null, res: { status: unknown }) => (err ? reject(err) : resolve(res))));
    expect(['SERVING', 1]).toContain(checked.status);
    health.close();

    const reflectionProto = join(dirname(require.resolve('@grpc/reflection')), '..', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');
    const pkg = loadPackageDefinition(loadSync(reflectionProto)) as never as { grpc: { reflection: { v1: { ServerReflection: new (a: string, c: unknown) => Client & Record<string, (md?: Metadata) => NodeJS.ReadWriteStream & { write(x: unknown): void; end(): void }> } } } };
    const reflection = new pkg.grpc.reflection.v1.ServerReflection(apiAddress(concord), credentials.createInsecure());
    const call = reflection['ServerReflectionInfo']!();
    const listed = new Promise<{ listServicesResponse: { service: { name: string }[] } }>((resolve, reject) => {
      call.on('data', resolve);
      call.on('error', reject);
    });
    call.write({ listServices: '' });
    const names = (await listed).listServicesResponse.service.map((s) => s.name);
    call.end();
    reflection.close();
    expect(names).toEqual(expect.arrayContaining(['concord.archive.v1.ArchiveService', 'grpc.health.v1.Health']));
  });
});
