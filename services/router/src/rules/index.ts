/**
 * The routing rule set (DESIGN §3) as pure predicates. The router only applies the verdicts;
 * each one carries the reason it was reached, for logs and traces.
 */
import type { Element } from '@concord/xml';
import { addMarker, effectiveTarget, type Target } from './addressing';
import { extractFacts, type SenderInfo, type StanzaFacts } from './facts';
import { persistence, type Persistence } from './persistence';
import { reflection, type Reflection } from './reflection';
import { urgency, type Urgency } from './urgency';

export { addMarker, effectiveTarget, type Target } from './addressing';
export { extractFacts, type ChatMarker, type MessageType, type Payload, type Receipt, type SenderInfo, type StanzaFacts, type StanzaKind } from './facts';
export { persistence, type Persistence } from './persistence';
export { reflection, type Reflection } from './reflection';
export { urgency, type Urgency } from './urgency';
export { verdict, type Verdict } from './verdict';

export interface Decision {
  facts: StanzaFacts;
  persistence: Persistence;
  target: Target;
  urgency: Urgency;
  reflection: Reflection;
  /** Add `<im-ng xmlns='urn:xmpp:im-ng:0'/>` before routing (DESIGN §3.1). */
  addMarker: boolean;
  reasons: { persistence: string; target: string; urgency: string; reflection: string };
}

/** Throws JidError on a malformed `to` (see extractFacts). */
export function decide(stanza: Element, sender: SenderInfo): Decision {
  const facts = extractFacts(stanza, sender);
  const p = persistence(facts);
  const t = effectiveTarget(facts);
  const u = urgency(facts, p.verdict);
  const r = reflection(facts, p.verdict);
  return {
    facts,
    persistence: p.verdict,
    target: t.verdict,
    urgency: u.verdict,
    reflection: r.verdict,
    addMarker: addMarker(facts),
    reasons: { persistence: p.reason, target: t.reason, urgency: u.reason, reflection: r.reason },
  };
}
