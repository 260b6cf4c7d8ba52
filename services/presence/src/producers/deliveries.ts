import { publishCore, type Bus } from '@concord/bus';
import { DeliveryEvent } from '@concord/events';
import { concord } from '@concord/proto';
import { serialize, type Element } from '@concord/xml';

/** A session to write to: its full JID and the gateway node holding it. */
export interface Target {
  fullJid: string;
  gatewayNode: string;
}

/**
 * Sends one stanza to sessions, one delivery per gateway node (core NATS, best effort, like the
 * router's). Presence is never urgent: a CSI-inactive session holds it, coalesced per contact.
 */
export function deliverTo(bus: Bus, targets: readonly Target[], stanza: Element, opts: { urgent: boolean }): void {
  const byNode = new Map<string, string[]>();
  for (const t of targets) byNode.set(t.gatewayNode, [...(byNode.get(t.gatewayNode) ?? []), t.fullJid]);
  const xml = serialize(stanza);
  for (const [node, toSessions] of byNode) {
    publishCore(bus.nc, bus.names.subjects.deliver(node), DeliveryEvent, concord.events.v1.Delivery.fromPartial({ toSessions, xml, urgent: opts.urgent }));
  }
}
