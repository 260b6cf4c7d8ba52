/**
 * The RFC 6121 subscription state table (Appendix A) as pure functions of one roster entry.
 * States are the entry's subscription (none/to/from/both) plus pending out (`ask`) and pending
 * in (a stored request). Each rule returns the new entry (undefined: no change) and what the
 * server does with the stanza, with the reason, so a test row reads like the RFC.
 */
import { emptyEntry, type RosterEntry, type Subscription } from '@concord/storage';

export type SubscriptionType = 'subscribe' | 'subscribed' | 'unsubscribe' | 'unsubscribed';
export const SUBSCRIPTION_TYPES: readonly string[] = ['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed'] satisfies SubscriptionType[];

export const hasTo = (s: Subscription) => s === 'to' || s === 'both';
export const hasFrom = (s: Subscription) => s === 'from' || s === 'both';

function compose(to: boolean, from: boolean): Subscription {
  return to ? (from ? 'both' : 'to') : (from ? 'from' : 'none');
}
const withTo = (s: Subscription, to: boolean) => compose(to, hasFrom(s));
const withFrom = (s: Subscription, from: boolean) => compose(hasTo(s), from);

export interface OutboundVerdict {
  /** The sender's entry for the contact after the stanza; undefined when unchanged. */
  entry: RosterEntry | undefined;
  /** The stanza goes on to the contact's server (here: the contact's side, handled locally). */
  route: boolean;
  reason: string;
}

/** The user sends `type` to the contact: the user's own entry for the contact (RFC 6121 §3, A.2). */
export function outbound(type: SubscriptionType, current: RosterEntry | undefined, contact: string): OutboundVerdict {
  const e = current ?? emptyEntry(contact);
  switch (type) {
    case 'subscribe':
      if (hasTo(e.subscription)) return { entry: undefined, route: true, reason: 'already subscribed: no state change; the contact side answers subscribed again (§3.1.3)' };
      if (e.ask && e.listed) return { entry: undefined, route: true, reason: 'already pending out: the request is sent again' };
      return { entry: { ...e, listed: true, ask: true }, route: true, reason: 'pending out, with a roster item created if missing (§3.1.2)' };
    case 'unsubscribe':
      if (!hasTo(e.subscription) && !e.ask) return { entry: undefined, route: true, reason: 'not subscribed: no state change; routed so the contact side can repair (§3.3.2)' };
      return { entry: { ...e, subscription: withTo(e.subscription, false), ask: false }, route: true, reason: 'to removed, pending out cancelled (§3.3.2)' };
    case 'subscribed':
      if (!e.pendingIn) return { entry: undefined, route: false, reason: 'no pending request to approve (pre-approval is not supported): ignored (§3.4)' };
      return { entry: { ...e, listed: true, subscription: withFrom(e.subscription, true), pendingIn: '' }, route: true, reason: 'request approved: from added, roster item created if missing (§3.1.5)' };
    case 'unsubscribed':
      if (!hasFrom(e.subscription) && !e.pendingIn) return { entry: undefined, route: true, reason: 'no subscription to cancel: no state change; routed so the contact side can repair (§3.2.2)' };
      return { entry: { ...e, subscription: withFrom(e.subscription, false), pendingIn: '' }, route: true, reason: 'from removed or pending request denied (§3.2.2, §3.1.5)' };
  }
}

export interface InboundVerdict {
  /** The receiver's entry for the sender after the stanza; undefined when unchanged. */
  entry: RosterEntry | undefined;
  /** Show the stanza to the receiver's available sessions. */
  deliver: boolean;
  /** The server answers `subscribed` on the receiver's behalf and delivers nothing (§3.1.3). */
  autoReply: boolean;
  reason: string;
}

/**
 * The sender's `type` arrives at the receiver: the receiver's entry for the sender (RFC 6121
 * A.3). `request` is the subscription request stanza kept while pending in.
 */
export function inbound(type: SubscriptionType, current: RosterEntry | undefined, sender: string, request = ''): InboundVerdict {
  const e = current ?? emptyEntry(sender);
  switch (type) {
    case 'subscribe':
      if (hasFrom(e.subscription)) return { entry: undefined, deliver: false, autoReply: true, reason: 'already subscribed: the server answers subscribed (§3.1.3)' };
      return { entry: { ...e, pendingIn: request }, deliver: true, autoReply: false, reason: 'pending in: stored and shown to available sessions, or at the next login (§3.1.3)' };
    case 'subscribed':
      if (!e.ask) return { entry: undefined, deliver: false, autoReply: false, reason: 'nothing was asked: ignored (§3.1.6)' };
      return { entry: { ...e, subscription: withTo(e.subscription, true), ask: false }, deliver: true, autoReply: false, reason: 'request approved: to added (§3.1.6)' };
    case 'unsubscribe':
      if (!hasFrom(e.subscription) && !e.pendingIn) return { entry: undefined, deliver: false, autoReply: false, reason: 'not subscribed: ignored (§3.3.3)' };
      return {
        entry: { ...e, subscription: withFrom(e.subscription, false), pendingIn: '' },
        deliver: hasFrom(e.subscription), autoReply: false, reason: 'from removed, a pending request withdrawn (§3.3.3)',
      };
    case 'unsubscribed':
      if (!hasTo(e.subscription) && !e.ask) return { entry: undefined, deliver: false, autoReply: false, reason: 'not subscribed and nothing asked: ignored (§3.2.3)' };
      return { entry: { ...e, subscription: withTo(e.subscription, false), ask: false }, deliver: true, autoReply: false, reason: 'to removed or request denied (§3.2.3)' };
  }
}
