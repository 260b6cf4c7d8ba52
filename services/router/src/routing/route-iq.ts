import { tryParseJid } from '@concord/jid';
import type { Element } from '@concord/xml';
import { errorReply } from '@concord/xmpp';
import { deliver } from '../producers/deliveries';
import type { InboundStanza, RouteContext } from './route-context';

/**
 * IQs between entities (RFC 6120 §8.5): to an online full JID they are delivered; a request to
 * anything else is answered <service-unavailable/> (the server does not yet answer on an
 * account's behalf, and an offline or unknown resource looks the same as a missing account).
 * Responses with nowhere to go are dropped, as the RFC says.
 */
export async function routeIq(ctx: RouteContext, inbound: InboundStanza, iq: Element): Promise<void> {
  const to = tryParseJid(iq.attrs['to'] ?? '');
  const target = to && !to.isBare ? await ctx.registry.get(to.toString()) : undefined;
  if (target) return deliver(ctx.bus, target.gatewayNode, [target.fullJid], iq, { urgent: true });
  if (iq.attrs['type'] === 'get' || iq.attrs['type'] === 'set') {
    deliver(ctx.bus, inbound.gatewayNode, [inbound.from], errorReply(iq, 'service-unavailable'), { urgent: true });
  }
}
