import { eventType, publishCore, type Bus } from '@concord/bus';
import { concord } from '@concord/proto';
import { serialize, type Element } from '@concord/xml';

const DeliveryEvent = eventType('concord.events.v1.Delivery', concord.events.v1.Delivery);

/** Sends a stanza to sessions held by one gateway node (core NATS, best effort). */
export function deliver(bus: Bus, gatewayNode: string, toSessions: string[], stanza: Element, opts: { urgent: boolean }): void {
  publishCore(bus.nc, bus.names.subjects.deliver(gatewayNode), DeliveryEvent, concord.events.v1.Delivery.fromPartial({
    toSessions, xml: serialize(stanza), urgent: opts.urgent,
  }));
}
