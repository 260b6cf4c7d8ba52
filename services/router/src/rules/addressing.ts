/**
 * Full/bare JID semantics (DESIGN §3.1): which address a message is routed by, and where the
 * server adds the XEP-0409 marker.
 */
import type { StanzaFacts } from './facts';
import { verdict, type Verdict } from './verdict';

export type Target = 'bare' | 'full';

/**
 * `bare`: the recipient's account (its sessions, its archive); `full`: the one addressed session.
 * For an error answering a persistent message `bare` means the account's 2.0 sessions plus the
 * addressed session, never its other legacy sessions (XEP-0409 §4; RFC 6121 §8.5.2.1.1 keeps
 * errors away from legacy resources they were not addressed to).
 */
export function effectiveTarget(f: StanzaFacts): Verdict<Target> {
  if (f.to === undefined) return verdict('bare', "no 'to': the sender's own account (RFC 6120 §10.3.1)");
  if (f.address === 'bare') return verdict('bare', 'addressed to a bare JID (DESIGN §3.1)');
  if (f.kind !== 'message') return verdict('full', `${f.kind} to a full JID keeps RFC 6121 routing (DESIGN §3.1 covers messages)`);
  switch (f.type) {
    case 'error':
      return f.errorAnswersPersistent
        ? verdict('bare', "error without the marker answers a persistent message: the account's 2.0 sessions get it (DESIGN §3.1, XEP-0409 §4)")
        : verdict('full', 'error with the im-ng marker: only the addressed session (DESIGN §3.1)');
    case 'headline':
    case 'groupchat':
      return verdict('full', `${f.type} to a full JID: the transition logic covers only chat and normal (DESIGN §3.1)`);
    default:
      if (f.imNgMarker) return verdict('full', 'full JID with the im-ng marker (DESIGN §3.1, XEP-0409)');
      if (f.senderImNg) return verdict('full', 'full JID from a 2.0 session (DESIGN §3.1)');
      // Legacy clients lock onto resources (RFC 6121 §5.1); routing as bare keeps the history whole.
      return verdict('bare', `legacy ${f.type} to a full JID without the marker is routed as bare (DESIGN §3.1 transition logic)`);
  }
}

/**
 * The server adds `<im-ng/>` to a 2.0 sender's full-JID message that lacks it (DESIGN §3.1), so
 * downstream (another 2.0 server, §3.7) applies the same semantics. Not to errors: on an error
 * the marker says "answers an ephemeral message", which only the client can know. Not to
 * groupchat: it comes from rooms (§3.6).
 */
export function addMarker(f: StanzaFacts): boolean {
  const eligible = f.type === 'chat' || f.type === 'normal' || f.type === 'headline';
  return f.kind === 'message' && eligible && f.senderImNg && f.address === 'full' && !f.imNgMarker;
}
