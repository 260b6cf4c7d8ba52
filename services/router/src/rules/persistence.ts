/**
 * What is history (DESIGN §3.1). The order of the checks is the precedence of the rules: type
 * first (headline, error and groupchat are never archived here), then the address, then the
 * XEP-0334 hints, then the body-less rules.
 */
import { effectiveTarget } from './addressing';
import type { StanzaFacts } from './facts';
import { verdict, type Verdict } from './verdict';

/**
 * `persistent`: archived for sender and recipient, delivered to every session of the recipient;
 * `ephemeral-session`: delivered to the addressed session only, never archived;
 * `ephemeral-all`: delivered to all online sessions of the recipient, never archived;
 * `not-message`: presence and IQ, which these rules do not cover.
 */
export type Persistence = 'persistent' | 'ephemeral-session' | 'ephemeral-all' | 'not-message';

export function persistence(f: StanzaFacts): Verdict<Persistence> {
  if (f.kind !== 'message') return verdict('not-message', `${f.kind} is not a message (DESIGN §3.1 covers messages)`);
  const target = effectiveTarget(f).verdict;
  switch (f.type) {
    case 'error':
      return target === 'full'
        ? verdict('ephemeral-session', 'error with the im-ng marker: the addressed session only, never archived (DESIGN §3.1)')
        : verdict('ephemeral-all', "error answering a persistent message: the account's 2.0 sessions, never archived (DESIGN §3.1, XEP-0409 §4)");
    case 'headline':
      return ephemeral(target, 'headline is never archived (DESIGN §3.1)');
    case 'groupchat':
      // Rooms archive groupchat once in the account's archive (§3.6); that is not this router's job yet.
      return ephemeral(target, 'groupchat comes only from rooms; the 1-1 router does not archive it (DESIGN §3.1, §3.6)');
    default:
      return chatOrNormal(f, target);
  }
}

function chatOrNormal(f: StanzaFacts, target: 'bare' | 'full'): Verdict<Persistence> {
  // A full-JID message is for one session; archiving it would put it on every device, so it
  // stays ephemeral whatever the hints say.
  if (target === 'full') return verdict('ephemeral-session', `full JID ${f.type} from a 2.0 session or with the im-ng marker: ephemeral (DESIGN §3.1)`);
  // no-store beside store: the sender asked not to keep it somewhere; honour the restriction.
  if (f.hints.noStore || f.hints.noPermanentStore) {
    return verdict('ephemeral-all', 'bare JID with a no-store hint: ephemeral to all online sessions (DESIGN §3.1, XEP-0334)');
  }
  if (f.hints.store) return verdict('persistent', '<store/> forces persistence (DESIGN §3.1, XEP-0334)');
  if (f.payload === 'chat-state') return verdict('ephemeral-all', 'body-less chat state: ephemeral (DESIGN §3.1, XEP-0085)');
  if (f.payload === 'ack') return verdict('persistent', 'receipt or chat marker to a bare JID: persistent, history needs it (DESIGN §3.1)');
  if (f.address === 'full') return verdict('persistent', `legacy ${f.type} to a full JID without the marker: routed as bare, persistent (DESIGN §3.1 transition logic)`);
  return verdict('persistent', `bare JID ${f.type} message (DESIGN §3.1)`);
}

function ephemeral(target: 'bare' | 'full', reason: string): Verdict<Persistence> {
  return verdict(target === 'full' ? 'ephemeral-session' : 'ephemeral-all', reason);
}
