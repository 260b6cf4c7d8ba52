/** Publishing events against the real nats-server: PubAcks, de-duplication, refusals, coalesced writes. */
import { Bus, coalesceSocketWrites, publishEvent } from '@concord/bus';
import { HistoryEventType } from '@concord/events';
import { createLogger } from '@concord/log';
import { concord } from '@concord/proto';
import { dropBus, requireStack, testConfig, uniqueName } from '../support/stack';

describe('bus publisher', () => {
  requireStack();
  const cfg = testConfig(uniqueName('publisher'));
  let bus: Bus;

  beforeAll(async () => {
    bus = await Bus.connect({ servers: cfg.natsUrls, name: 'publisher-test', prefix: cfg.busPrefix, partitions: 4, log: createLogger('test', 'warn') });
    await bus.ensure();
  });

  afterAll(async () => {
    await bus.close();
    await dropBus(cfg);
  });

  const event = (n: number) => concord.events.v1.HistoryEvent.fromPartial({ owner: 'a@localhost', archiveId: `id${n}` });

  it('coalesces the socket writes of the pinned nats.js (its internals are where we expect them)', () => {
    expect(coalesceSocketWrites(bus.nc)).toBe(true);
  });

  it('stores 2,000 concurrent publishes, each acked once with its own sequence, in publish order per subject', async () => {
    const subject = bus.names.subjects.history(1);
    const acks = await Promise.all(Array.from({ length: 2000 }, (_, i) => publishEvent(bus.publisher, subject, HistoryEventType, event(i), { msgId: `pub:${i}` })));
    const seqs = acks.map((a) => a.seq);
    expect(new Set(seqs).size).toBe(2000);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(acks.every((a) => a.stream === bus.names.stream('history') && !a.duplicate)).toBe(true);
  });

  it('reports a re-publish within the window as a duplicate of the first', async () => {
    const subject = bus.names.subjects.history(2);
    const first = await publishEvent(bus.publisher, subject, HistoryEventType, event(1), { msgId: 'dup:x' });
    const again = await publishEvent(bus.publisher, subject, HistoryEventType, event(1), { msgId: 'dup:x' });
    expect(again).toMatchObject({ seq: first.seq, duplicate: true });
  });

  it('rejects a publish no stream takes, naming the subject', async () => {
    await expect(publishEvent(bus.publisher, `${cfg.busPrefix}.nowhere`, HistoryEventType, event(1))).rejects.toThrow(/nowhere: no JetStream stream takes this subject/);
  });
});
