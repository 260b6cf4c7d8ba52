import { emptyEntry, type RosterEntry, type Subscription } from '@concord/storage';
import { inbound, outbound, type SubscriptionType } from './subscription-rules';

const C = 'bob@example.com';

/** A state in RFC 6121 Appendix A notation: "None + Pending Out", "To + Pending In"... */
function state(s: string): RosterEntry {
  const [sub, ...flags] = s.split(' + ');
  return {
    ...emptyEntry(C),
    listed: true,
    subscription: sub!.toLowerCase() as Subscription,
    ask: flags.includes('Pending Out'),
    pendingIn: flags.includes('Pending In') ? '<presence type="subscribe"/>' : '',
  };
}

function name(e: RosterEntry): string {
  const s = e.subscription[0]!.toUpperCase() + e.subscription.slice(1);
  return [s, ...(e.ask ? ['Pending Out'] : []), ...(e.pendingIn ? ['Pending In'] : [])].join(' + ');
}

describe('outbound subscription stanzas (RFC 6121 A.2: the user sends)', () => {
  const rows: [SubscriptionType, string, string | 'no change', boolean][] = [
    ['subscribe', 'None', 'None + Pending Out', true],
    ['subscribe', 'None + Pending In', 'None + Pending Out + Pending In', true],
    ['subscribe', 'From', 'From + Pending Out', true],
    ['subscribe', 'To', 'no change', true],
    ['subscribe', 'Both', 'no change', true],
    ['unsubscribe', 'To', 'None', true],
    ['unsubscribe', 'None + Pending Out', 'None', true],
    ['unsubscribe', 'Both', 'From', true],
    ['unsubscribe', 'From', 'no change', true],
    ['subscribed', 'None + Pending In', 'From', true],
    ['subscribed', 'None + Pending Out + Pending In', 'From + Pending Out', true],
    ['subscribed', 'To + Pending In', 'Both', true],
    ['subscribed', 'None', 'no change', false],
    ['subscribed', 'Both', 'no change', false],
    ['unsubscribed', 'From', 'None', true],
    ['unsubscribed', 'Both', 'To', true],
    ['unsubscribed', 'None + Pending In', 'None', true],
    ['unsubscribed', 'To + Pending In', 'To', true],
    ['unsubscribed', 'To', 'no change', true],
  ];
  it.each(rows)('%s in %s → %s (routed: %s)', (type, from, to, route) => {
    const v = outbound(type, state(from), C);
    expect(v.entry ? name(v.entry) : 'no change').toBe(to);
    expect(v.route).toBe(route);
    expect(v.reason).not.toBe('');
  });

  it('creates a listed item when subscribing to a contact not in the roster', () => {
    const v = outbound('subscribe', undefined, C);
    expect(v.entry).toMatchObject({ contact: C, listed: true, subscription: 'none', ask: true });
  });
});

describe('inbound subscription stanzas (RFC 6121 A.3: the contact receives)', () => {
  const rows: [SubscriptionType, string, string | 'no change', 'deliver' | 'auto-reply' | 'drop'][] = [
    ['subscribe', 'None', 'None + Pending In', 'deliver'],
    ['subscribe', 'None + Pending Out', 'None + Pending Out + Pending In', 'deliver'],
    ['subscribe', 'To', 'To + Pending In', 'deliver'],
    ['subscribe', 'From', 'no change', 'auto-reply'],
    ['subscribe', 'Both', 'no change', 'auto-reply'],
    ['subscribed', 'None + Pending Out', 'To', 'deliver'],
    ['subscribed', 'From + Pending Out', 'Both', 'deliver'],
    ['subscribed', 'None + Pending Out + Pending In', 'To + Pending In', 'deliver'],
    ['subscribed', 'None', 'no change', 'drop'],
    ['subscribed', 'To', 'no change', 'drop'],
    ['unsubscribe', 'From', 'None', 'deliver'],
    ['unsubscribe', 'Both', 'To', 'deliver'],
    ['unsubscribe', 'None + Pending In', 'None', 'drop'],
    ['unsubscribe', 'None', 'no change', 'drop'],
    ['unsubscribed', 'To', 'None', 'deliver'],
    ['unsubscribed', 'Both', 'From', 'deliver'],
    ['unsubscribed', 'None + Pending Out', 'None', 'deliver'],
    ['unsubscribed', 'From', 'no change', 'drop'],
  ];
  it.each(rows)('%s in %s → %s (%s)', (type, from, to, action) => {
    const v = inbound(type, state(from), C, '<presence type="subscribe"/>');
    expect(v.entry ? name(v.entry) : 'no change').toBe(to);
    expect(v.autoReply ? 'auto-reply' : v.deliver ? 'deliver' : 'drop').toBe(action);
  });

  it('keeps the request stanza while pending in, without listing the contact', () => {
    const v = inbound('subscribe', undefined, C, '<presence type="subscribe"><status>hi</status></presence>');
    expect(v.entry).toMatchObject({ listed: false, pendingIn: '<presence type="subscribe"><status>hi</status></presence>' });
  });
});
