/**
 * Sync (docs/grpc.md): a stream opened while alice.laptop is sending to bob delivers bob's
 * history, then live messages, with no gap or duplicate against the archive; after the client
 * disconnects, a stream resumed from the last position received continues exactly where it
 * stopped, retractions made meanwhile included. Real XMPP clients, NATS, Cassandra and gRPC.
 */
import { status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { ArchiveClient, SyncEvent } from '@concord/archive-client-example';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import type { ClientDriver } from '../support/driver';
import { ADMIN_TOKEN, archiveClient, AUDITOR_TOKEN, CALLERS_ENV, say, SUPPORT_TOKEN } from '../support/archive-api';
import { requireStack } from '../support/stack';

/** One Sync stream's events, kept so a test can wait for one that already arrived. */
class SyncReader {
  readonly events: SyncEvent[] = [];
  private readonly waiters: { match: () => boolean; resolve: () => void }[] = [];
  error: ServiceError | undefined;

  constructor(readonly stream: ClientReadableStream<SyncEvent>) {
    stream.on('data', (e: SyncEvent) => {
      this.events.push(e);
      for (const w of this.waiters.filter((x) => x.match())) (this.waiters.splice(this.waiters.indexOf(w), 1), w.resolve());
    });
    stream.on('error', (err: ServiceError) => (this.error = err));
  }

  get messages() {
    return this.events.filter((e) => e.message).map((e) => e.message!);
  }

  async until(what: string, match: () => boolean, timeoutMs = 20_000): Promise<void> {
    if (match()) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`sync: no ${what} within ${timeoutMs}ms (${this.events.length} events, error ${this.error?.message})`)), timeoutMs);
      this.waiters.push({ match, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  async close(): Promise<void> {
    const ended = new Promise((r) => this.stream.on('close', r));
    this.stream.cancel();
    await ended;
  }
}

describe('gRPC Sync', () => {
  requireStack();
  let concord: RunningConcord;
  let aliceLaptop: ClientDriver;
  let support: ArchiveClient;
  let admin: ArchiveClient;
  const bob = () => `bob@${concord.domain}`;

  beforeAll(async () => {
    concord = await startConcord('grpcsync', CALLERS_ENV);
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('bob', 'bob-secret');
    aliceLaptop = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
    support = archiveClient(concord, SUPPORT_TOKEN);
    admin = archiveClient(concord, ADMIN_TOKEN);
  }, 90_000);

  afterAll(async () => {
    support?.close();
    admin?.close();
    await aliceLaptop?.kill();
    await concord?.stop();
  });

  const archivedIds = async () => (await support.query({ account: bob(), pageSize: 250 })).messages.map((m) => m.archiveId);
  const increasing = (events: SyncEvent[]) => events.every((e, i) => i === 0 || e.position > events[i - 1]!.position || (e.caughtUp && e.position === events[i - 1]!.position));

  it('opened mid-conversation: history then live, no gap or duplicate; resumes after a disconnect', async () => {
    for (let i = 1; i <= 3; i++) await say(aliceLaptop, bob(), `before-${i}`);

    // A burst that is still being routed and archived while the stream opens.
    for (let i = 1; i <= 20; i++) await aliceLaptop.ok('send', { xml: `<message to='${bob()}' type='chat' id='burst-${i}'><body>burst-${i}</body></message>` });
    const first = new SyncReader(support.sync(bob(), 0));
    await aliceLaptop.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes('id="burst-20"'), 20_000, 'the last ack of the burst');
    await first.until('caught_up', () => first.events.some((e) => e.caughtUp));
    await say(aliceLaptop, bob(), 'live-1');
    await say(aliceLaptop, bob(), 'live-2');
    await first.until('23 + 2 messages', () => first.messages.length >= 25);

    expect(first.error).toBeUndefined();
    expect(first.events.filter((e) => e.caughtUp)).toHaveLength(1);
    expect(increasing(first.events)).toBe(true);
    const caughtUpAt = first.events.findIndex((e) => e.caughtUp);
    expect(first.events.slice(caughtUpAt + 1).map((e) => e.message?.body)).toEqual(expect.arrayContaining(['live-1', 'live-2']));
    expect(first.messages.map((m) => m.archiveId)).toEqual(await archivedIds());
    expect(first.messages.map((m) => m.body)).toEqual([
      ...[1, 2, 3].map((i) => `before-${i}`), ...Array.from({ length: 20 }, (_, i) => `burst-${i + 1}`), 'live-1', 'live-2',
    ]);

    // The client goes away; meanwhile two messages arrive and one old message is retracted.
    const lastPosition = first.events.at(-1)!.position;
    await first.close();
    await say(aliceLaptop, bob(), 'offline-1');
    await say(aliceLaptop, bob(), 'offline-2');
    const retracted = first.messages[1]!;
    await admin.retractMessage(bob(), retracted.archiveId);

    const second = new SyncReader(support.sync(bob(), lastPosition));
    await second.until('caught_up', () => second.events.some((e) => e.caughtUp));
    const beforeLive = second.events.filter((e) => !e.caughtUp);
    expect(beforeLive.map((e) => e.message?.body ?? (e.retracted ? `retracted ${e.retracted.archiveId}` : '?'))).toEqual(['offline-1', 'offline-2', `retracted ${retracted.archiveId}`]);
    expect(second.events.find((e) => e.retracted)!.retracted!.tombstone).toMatchObject({ archiveId: retracted.archiveId, retracted: true, position: retracted.position });
    expect(beforeLive[0]!.position).toBeGreaterThan(lastPosition);

    // Live again: a new message and a retraction of a message sent on the first stream.
    await say(aliceLaptop, bob(), 'live-3');
    await admin.retractMessage(bob(), first.messages[5]!.archiveId);
    await second.until('live-3 and the retraction', () => second.messages.some((m) => m.body === 'live-3') && second.events.filter((e) => e.retracted).length === 2);
    expect(increasing(second.events)).toBe(true);
    expect([...first.messages, ...second.messages].map((m) => m.archiveId)).toEqual(await archivedIds());
    await second.close();
  });

  it('a deletion reaches open streams; a new stream starts after it', async () => {
    const reader = new SyncReader(support.sync(bob(), 0));
    await reader.until('caught_up', () => reader.events.some((e) => e.caughtUp));
    const { position } = await admin.deleteAccountArchive(bob());
    await reader.until('archive_deleted', () => reader.events.some((e) => e.archiveDeleted));
    expect(reader.events.find((e) => e.archiveDeleted)!.position).toBe(position);
    await say(aliceLaptop, bob(), 'after-delete');
    await reader.until('the message after the deletion', () => reader.messages.some((m) => m.body === 'after-delete'));
    await reader.close();

    const fresh = new SyncReader(support.sync(bob(), 0));
    await fresh.until('caught_up', () => fresh.events.some((e) => e.caughtUp));
    expect(fresh.events.filter((e) => !e.caughtUp).map((e) => e.message?.body ?? (e.archiveDeleted ? 'deleted' : '?'))).toEqual(['deleted', 'after-delete']);
    await fresh.close();
  });

  it('refuses a Sync from a caller without the method, and one without credentials', async () => {
    const refused = async (client: ArchiveClient) => {
      const reader = new SyncReader(client.sync(bob(), 0));
      await new Promise((r) => reader.stream.on('close', r));
      client.close();
      return reader.error?.code;
    };
    expect(await refused(archiveClient(concord, AUDITOR_TOKEN))).toBe(status.PERMISSION_DENIED);
    expect(await refused(archiveClient(concord))).toBe(status.UNAUTHENTICATED);
  });
});
