/**
 * The archive writes a message row without reading the ID index only on the router's proof
 * that no earlier event with the same ID can be waiting (HistoryEvent.applied_through_ms). An
 * event without that proof, or with one too old for the stream's duplicate window, has its ID
 * looked up: a second event with an ID the account has is a duplicate, the first row stays.
 */
import type { ArchiveClient } from '@concord/archive-client-example';
import type { Bus } from '@concord/bus';
import { startConcord, type RunningConcord } from '../support/concord';
import { ADMIN_TOKEN, archiveClient, CALLERS_ENV } from '../support/archive-api';
import { connectBus, publishMessage } from '../support/history';
import { eventually, requireStack } from '../support/stack';

describe('the archive ID index read', () => {
  requireStack();
  let concord: RunningConcord;
  let bus: Bus;
  let admin: ArchiveClient;
  const alice = () => `alice@${concord.domain}`;

  beforeAll(async () => {
    concord = await startConcord('idindex', CALLERS_ENV);
    await concord.addAccount('alice', 'alice-secret');
    admin = archiveClient(concord, ADMIN_TOKEN);
    bus = await connectBus(concord, 'id-index-test');
  }, 60_000);

  afterAll(async () => {
    admin?.close();
    await bus?.close();
    await concord?.stop();
  });

  /** An archived-message event for alice under `archiveId`; `copy` keeps JetStream from deduplicating it. */
  const publish = (archiveId: string, body: string, appliedThroughMs: number, copy: string) =>
    publishMessage(bus, { owner: alice(), peer: `bob@${concord.domain}`, archiveId, body, appliedThroughMs, msgId: `h:${alice()}:${archiveId}:${copy}` });

  it('keeps the first row of an ID when a later event has no proof, or a stale one', async () => {
    const first = await publish('dup-1', 'first', 0, 'a');
    await publish('dup-1', 'no proof', 0, 'b');
    await publish('dup-1', 'stale proof', Date.now() - 10 * 60_000, 'c');
    await publish('fresh-1', 'fresh proof', Date.now(), 'a');
    const rows = await eventually(async () => {
      const got = (await admin.query({ account: alice() })).messages;
      return got.some((m) => m.archiveId === 'fresh-1') ? got : undefined;
    }, 20_000, 'the last event applied');
    expect(rows.map((m) => [m.archiveId, m.body])).toEqual([['dup-1', 'first'], ['fresh-1', 'fresh proof']]);
    expect(rows[0]!.position).toBe(first.seq);
  });
});
