import { partitionOf, publishEvent, type Bus } from '@concord/bus';
import { InboundStanzaEvent } from '@concord/events';
import { concord } from '@concord/proto';
import { serialize, type Element } from '@concord/xml';
import type { InboundSink } from '../session/connection-deps';

/**
 * Publishes accepted stanzas to the inbound stream, partitioned by the sending account so
 * that one account's stanzas reach the router in order. The message ID makes a re-publish
 * after a NATS reconnect harmless.
 */
export function inboundPublisher(bus: Bus, node: string): InboundSink {
  return {
    async publish(stanza: Element, meta) {
      const id = `${meta.streamId}:${meta.counter}`;
      await publishEvent(bus.publisher, bus.names.subjects.inbound(partitionOf(meta.account, bus.names.partitions)), InboundStanzaEvent,
        concord.events.v1.InboundStanza.fromPartial({
          id,
          account: meta.account,
          from: stanza.attrs['from'] ?? '',
          gatewayNode: node,
          streamId: meta.streamId,
          streamSeq: meta.counter,
          clientId: meta.clientId,
          imNg: meta.imNg,
          xml: serialize(stanza),
          receivedAtMs: Date.now(),
        }),
        { msgId: id, account: meta.account, attributes: { 'xmpp.stanza': stanza.name } });
    },
  };
}
