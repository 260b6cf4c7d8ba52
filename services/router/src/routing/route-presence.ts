import { publishEvent } from '@concord/bus';
import { InboundStanzaEvent } from '@concord/events';
import type { InboundStanza, RouteContext } from './route-context';

/**
 * Presence is the presence service's (RFC 6121 broadcasts, probes, subscriptions): handed over
 * on the PRESENCE stream as accepted, keeping the account's order. Durable before the stanza
 * is acked, so a subscription request is never lost.
 */
export async function routePresence(ctx: RouteContext, inbound: InboundStanza): Promise<void> {
  await publishEvent(ctx.bus.publisher, ctx.bus.names.subjects.presence('stanza'), InboundStanzaEvent, inbound,
    { msgId: `presence:${inbound.id}`, account: inbound.account, attributes: { 'xmpp.stanza': 'presence' } });
}
