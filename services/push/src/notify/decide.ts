/**
 * Whether a message wakes an account's devices (DESIGN §3.2, §7): the rule set's urgency and
 * the sender's urgency hint, subject to the account's preference for the conversation. A
 * preference can only hold notifications back, never wake a device for a receipt, a chat state
 * or a headline (the router sends no request for those).
 */
import type { NotifyLevel } from '@concord/storage';

export interface PushFacts {
  /** The rule set's verdict, hint applied (groupchat is never urgent there). */
  urgent: boolean;
  groupchat: boolean;
  mentionsAccount: boolean;
  urgencyHint: string;
}

export interface PushDecision {
  push: boolean;
  reason: string;
}

const decision = (push: boolean, reason: string): PushDecision => ({ push, reason });

export function decidePush(f: PushFacts, level: NotifyLevel | undefined): PushDecision {
  if (level === 'none') return decision(false, 'the conversation is muted (level none)');
  if (f.urgencyHint === 'low') return decision(false, "the sender lowered urgency (<urgency level='low'/>)");
  if (level === 'mentions') return f.mentionsAccount ? decision(true, 'a mention (level mentions)') : decision(false, 'not a mention (level mentions)');
  if (level === 'all') return f.urgent || f.groupchat ? decision(true, 'level all') : decision(false, 'not urgent');
  if (f.groupchat) {
    if (f.mentionsAccount) return decision(true, 'a groupchat message mentioning the account');
    return f.urgencyHint === 'high' ? decision(true, "groupchat raised by <urgency level='high'/>") : decision(false, 'a groupchat message without a mention');
  }
  return f.urgent ? decision(true, 'urgent (DESIGN §3.2)') : decision(false, 'not urgent');
}
