/**
 * DeleteAccountArchive and RetractMessage wait for the archive to apply their event. When the
 * archive is behind (here: thousands of events queued on the account's history partition),
 * they answer by their bound — UNAVAILABLE at the configured apply timeout, DEADLINE_EXCEEDED
 * at the call's deadline — and the event, already in the log, is applied afterwards anyway.
 */
import { status } from '@grpc/grpc-js';
import type { ArchiveClient } from '@concord/archive-client-example';
import type { Bus } from '@concord/bus';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import type { ClientDriver } from '../support/driver';
import { ADMIN_TOKEN, archiveClient, CALLERS_ENV, say } from '../support/archive-api';
import { connectBus, publishMessage } from '../support/history';
import { eventually, requireStack } from '../support/stack';

const BACKLOG = 8_000;

describe('gRPC calls that wait for the archive, while it is behind', () => {
  requireStack();
  let concord: RunningConcord;
  let bus: Bus;
  let laptop: ClientDriver;
  let admin: ArchiveClient;
  const alice = () => `alice@${concord.domain}`;

  beforeAll(async () => {
    concord = await startConcord('grpcapply', { ...CALLERS_ENV, CONCORD_ARCHIVE_GRPC_APPLY_TIMEOUT: '1s' });
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('bob', 'bob-secret');
    laptop = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
    admin = archiveClient(concord, ADMIN_TOKEN);
    bus = await connectBus(concord, 'grpc-apply-test');
  }, 60_000);

  afterAll(async () => {
    admin?.close();
    await laptop?.kill();
    await bus?.close();
    await concord?.stop();
  });

  /** Queues `n` archived-message events for alice, as the router would, ahead of anything published next. */
  async function backlog(n: number): Promise<void> {
    for (let i = 0; i < n; i += 500) {
      await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, k) => {
        const id = `backlog-${i + k}`;
        return publishMessage(bus, { owner: alice(), peer: `bob@${concord.domain}`, archiveId: id, body: `queued ${i + k}`, msgId: `h:${alice()}:test-backlog:${id}` });
      }));
    }
  }

  it('answers UNAVAILABLE at the apply timeout and DEADLINE_EXCEEDED at the deadline, and applies both events later', async () => {
    await say(laptop, `bob@${concord.domain}`, 'first', 'retract me');
    await say(laptop, `bob@${concord.domain}`, 'second', 'and me');
    const [first, second] = (await admin.query({ account: alice() })).messages;
    expect([first?.body, second?.body]).toEqual(['retract me', 'and me']);
    await backlog(BACKLOG);

    // The apply timeout (1 s) comes before the 20 s deadline.
    const started = Date.now();
    const err = await admin.retractMessage(alice(), first!.archiveId, 20_000).then(() => undefined, (e: { code: number; details: string }) => e);
    expect(err).toMatchObject({ code: status.UNAVAILABLE, details: expect.stringMatching(/^accepted at position \d+ but the archive has not applied it yet; it will be$/) });
    expect(Date.now() - started).toBeLessThan(10_000);

    // A deadline shorter than the apply timeout ends the call at the deadline.
    const late = await admin.retractMessage(alice(), second!.archiveId, 300).then(() => undefined, (e: { code: number }) => e);
    expect(late).toMatchObject({ code: status.DEADLINE_EXCEEDED });

    // Both retractions were accepted: once the archive has caught up, both are tombstones.
    const [a, b] = await eventually(async () => {
      const got = (await admin.getMessages(alice(), [first!.archiveId, second!.archiveId])).messages;
      return got.length === 2 && got.every((m) => m.retracted) ? got : undefined;
    }, 100_000, 'both retractions applied');
    expect([a!.position, b!.position]).toEqual([first!.position, second!.position]);
    // The backlog ahead of them was applied too, in order, each once.
    const all = (await admin.query({ account: alice(), pageSize: 10 })).messages;
    expect(all.map((m) => m.body)).toEqual(['', '', ...Array.from({ length: 8 }, (_, i) => `queued ${i}`)]);
  }, 180_000);
});
