import { publishCore, type Bus } from '@concord/bus';
import { DeliveryEvent } from '@concord/events';
import { concord } from '@concord/proto';
import { serialize, type Element } from '@concord/xml';

/** Sends a stanza to sessions held by one gateway node (core NATS, best effort). */
export function deliver(bus: Bus, gatewayNode: string, toSessions: string[], stanza: Element, opts: { urgent: boolean }): void {
  publishCore(bus.nc, bus.names.subjects.deliver(gatewayNode), DeliveryEvent, concord.events.v1.Delivery.fromPartial({
    toSessions, xml: serialize(stanza), urgent: opts.urgent,
  }));
}
