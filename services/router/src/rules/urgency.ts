/**
 * What wakes a device (DESIGN §3.2): urgent stanzas flush a CSI-inactive session's queue and
 * trigger push; the rest wait. Notification preferences are applied later, per recipient (§7).
 */
import type { StanzaFacts } from './facts';
import type { Persistence } from './persistence';
import { verdict, type Verdict } from './verdict';

export type Urgency = 'urgent' | 'normal';

export function urgency(f: StanzaFacts, p: Persistence): Verdict<Urgency> {
  // §3.2 is about messages. An IQ is a request or an answer someone is waiting for: queueing it
  // behind CSI would time it out. Presence waits, coalesced per contact.
  if (f.kind === 'iq') return verdict('urgent', 'an IQ is awaited; never held in the CSI queue (DESIGN §3.2 covers messages)');
  if (f.kind !== 'message') return verdict('normal', `${f.kind} waits in the CSI queue (DESIGN §3.2)`);
  // The "never" cases come before the hint: a hint cannot make them urgent.
  if (f.type === 'headline') return verdict('normal', 'headline is never urgent (DESIGN §3.1)');
  if (f.payload === 'ack') return verdict('normal', 'receipts and chat markers are never urgent (DESIGN §3.2)');
  if (f.payload === 'chat-state') return verdict('normal', 'chat states are never urgent (DESIGN §3.2)');
  if (f.type === 'groupchat') return verdict('normal', 'groupchat urgency is decided by mentions and notification preferences (DESIGN §3.2, §3.6)');
  if (f.urgencyHint === 'high') return verdict('urgent', "<urgency level='high'/> raises urgency (DESIGN §3.2, §7)");
  if (f.urgencyHint === 'low') return verdict('normal', "<urgency level='low'/> lowers urgency (DESIGN §3.2, §7)");
  return p === 'persistent'
    ? verdict('urgent', 'persistent, so urgent by default (DESIGN §3.2)')
    : verdict('normal', 'ephemeral, so not urgent by default (DESIGN §3.2)');
}
