import { ack, consumeEvents, eventType, type Bus, type RunningConsumer } from '@concord/bus';
import type { Logger } from '@concord/log';
import { concord } from '@concord/proto';
import type { Worker } from '@concord/runtime';
import { parseElement } from '@concord/xml';
import { errorReply, NS } from '@concord/xmpp';
import { publishCommit } from '../producers/commits';
import { deliver } from '../producers/deliveries';

const InboundStanzaEvent = eventType('concord.events.v1.InboundStanza', concord.events.v1.InboundStanza);
const Outcome = concord.events.v1.Commit_Outcome;

/**
 * Reads accepted stanzas in order per account partition. Each one is decided and its outcome
 * reported to the gateway that accepted it (which turns it into the client's Stream Management
 * ack). Delivery to recipients and archiving are decided by the routing rules; until those are
 * applied here, a request IQ is answered <service-unavailable/> (RFC 6120 §8.4: nobody will
 * answer it) and everything else ends as "routed".
 */
export function inboundWorker(bus: Bus, log: Logger): Worker {
  let running: RunningConsumer | undefined;
  return {
    name: 'inbound',
    async start() {
      running = await consumeEvents(bus.js, InboundStanzaEvent, { stream: bus.names.stream('inbound'), durable: bus.names.durable('router', 'inbound'), log }, async ({ value }) => {
        const stanza = parseElement(value.xml, undefined, NS.client);
        if (stanza.name === 'iq' && (stanza.attrs['type'] === 'get' || stanza.attrs['type'] === 'set')) {
          deliver(bus, value.gatewayNode, [value.from], errorReply(stanza, 'service-unavailable'), { urgent: true });
        }
        await publishCommit(bus, value.gatewayNode, concord.events.v1.Commit.fromPartial({
          inboundId: value.id, streamId: value.streamId, streamSeq: value.streamSeq, outcome: Outcome.OUTCOME_ROUTED,
        }));
        return ack;
      });
    },
    async stop() {
      await running?.stop();
    },
  };
}
