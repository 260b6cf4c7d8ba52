/**
 * Writing history events straight onto a running Concord's bus, as the router would: for
 * tests that need the archive in a state clients cannot easily produce (a backlog, or events
 * the router would never publish).
 */
import { Bus, partitionOf, publishEvent } from '@concord/bus';
import { HistoryEventType, type HistoryEvent } from '@concord/events';
import { createLogger } from '@concord/log';
import { concord as proto } from '@concord/proto';
import type { RunningConcord } from './concord';
import { testConfig } from './stack';

export function connectBus(concord: RunningConcord, name: string): Promise<Bus> {
  const cfg = testConfig(concord.name);
  return Bus.connect({ servers: cfg.natsUrls, name, prefix: cfg.busPrefix, partitions: cfg.busPartitions, log: createLogger('test', 'warn') });
}

/** An outgoing chat message from `owner` to `peer` in `owner`'s history; `msgId` is JetStream's deduplication key. */
export function publishMessage(bus: Bus, m: { owner: string; peer: string; archiveId: string; body: string; msgId: string; appliedThroughMs?: number }): ReturnType<typeof publishEvent> {
  const event: HistoryEvent = proto.events.v1.HistoryEvent.fromPartial({
    owner: m.owner, archiveId: m.archiveId, with: m.peer, outgoing: true, originId: m.archiveId, timestampMs: Date.now(), appliedThroughMs: m.appliedThroughMs ?? 0,
    xml: `<message xmlns='jabber:client' type='chat' id='${m.archiveId}'><body>${m.body}</body></message>`,
  });
  return publishEvent(bus.publisher, bus.names.subjects.history(partitionOf(m.owner, bus.names.partitions)), HistoryEventType, event, { msgId: m.msgId, account: m.owner });
}
