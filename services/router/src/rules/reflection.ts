/**
 * Whether the sender's other sessions get a copy of what it sent (DESIGN §3.1, §7).
 */
import type { StanzaFacts } from './facts';
import type { Persistence } from './persistence';
import { verdict, type Verdict } from './verdict';

/**
 * `archived-copy-to-2.0`: the sender's other 2.0 sessions get the archived version (with the
 * stanza-id of the sender's archive), its legacy sessions get XEP-0280 carbons if they enabled
 * them; `carbons-if-enabled`: not archived, so there is no archived copy to send, and only legacy
 * sessions that enabled carbons get one, as XEP-0280 would; `none`: no copy anywhere.
 */
export type Reflection = 'archived-copy-to-2.0' | 'carbons-if-enabled' | 'none';

export function reflection(f: StanzaFacts, p: Persistence): Verdict<Reflection> {
  if (f.kind !== 'message') return verdict('none', `${f.kind} is not reflected (DESIGN §3.1 covers messages)`);
  if (f.type === 'headline') return verdict('none', 'headline is never reflected (DESIGN §3.1)');
  if (f.type === 'error') return verdict('none', 'errors are never reflected (DESIGN §3.1)');
  if (f.type === 'groupchat') return verdict('none', 'groupchat is forked by the room rules, not reflected (DESIGN §3.6)');
  if (p === 'ephemeral-session') return verdict('none', 'full JID ephemeral message: never copied to other sessions (DESIGN §3.1)');
  if (f.private) return verdict('none', '<private/> stops reflection (DESIGN §3.1, XEP-0280)');
  if (f.hints.noCopy) return verdict('none', '<no-copy/> stops reflection (DESIGN §3.1, XEP-0334)');
  return p === 'persistent'
    ? verdict('archived-copy-to-2.0', 'persistent: other 2.0 sessions get the archived copy, legacy ones carbons if enabled (DESIGN §3.1, §7)')
    : verdict('carbons-if-enabled', 'not archived, so no archived copy: carbons to legacy sessions that enabled them (DESIGN §3.1, XEP-0280)');
}
