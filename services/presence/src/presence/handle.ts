import { isSessionEnd } from '@concord/events';
import { tryParseJid } from '@concord/jid';
import type { concord } from '@concord/proto';
import type { Element } from '@concord/xml';
import { errorReply } from '@concord/xmpp';
import type { PresenceContext } from '../context';
import { deliverTo } from '../producers/deliveries';
import { goAvailable, goUnavailable, type Origin } from './broadcast';
import { clientProbe, directedPresence, presenceError } from './directed';
import { SUBSCRIPTION_TYPES, type SubscriptionType } from './subscription-rules';
import { userSends } from './subscriptions';

/** One presence stanza from a session, routed here by the router in the account's order. */
export async function handlePresence(ctx: PresenceContext, inbound: concord.events.v1.InboundStanza, stanza: Element): Promise<void> {
  const origin: Origin = { fullJid: inbound.from, account: inbound.account, gatewayNode: inbound.gatewayNode, streamId: inbound.streamId };
  const type = stanza.attrs['type'];
  const toText = stanza.attrs['to'];
  if (toText === undefined) {
    if (type === undefined) return goAvailable(ctx, origin, stanza);
    if (type === 'unavailable') return goUnavailable(ctx, origin, stanza, isSessionEnd(inbound));
    return; // a probe, error or subscription stanza needs an addressee
  }
  const to = tryParseJid(toText);
  if (!to) return;
  if (to.domain !== ctx.config.domain) {
    // No server-to-server yet: say so rather than let a request hang (RFC 6120 §8.3.3.16).
    if (type !== 'error' && type !== 'unavailable') deliverTo(ctx.bus, [origin], errorReply(stanza, 'remote-server-not-found'), { urgent: false });
    return;
  }
  if (type !== undefined && SUBSCRIPTION_TYPES.includes(type)) {
    const contact = to.bare().toString();
    if (contact !== origin.account) await userSends(ctx, type as SubscriptionType, origin.account, contact, stanza);
    return;
  }
  if (type === 'probe') return clientProbe(ctx, origin, to);
  if (type === 'error') return presenceError(ctx, stanza, to);
  if (type === undefined || type === 'unavailable') return directedPresence(ctx, origin, stanza, to);
}
