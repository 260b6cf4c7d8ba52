/**
 * XEP-0352 Client State Indication: what an inactive session is sent now and what waits.
 * Pure: no timers, no I/O; the connection feeds it stanzas and writes what it returns.
 */
import { tryParseJid } from '@concord/jid';
import type { Element } from '@concord/xml';
import { NS } from '@concord/xmpp';

/** Most stanzas held for an inactive session; when full, everything held is sent (XEP-0352 §5 leaves it to the server). */
export const CSI_MAX_HELD = 100;

export type CsiVerdict =
  /** Goes out now, after everything held (in order). */
  | { action: 'flush'; reason: string }
  /** Waits, replacing a held stanza with the same key (only the newest matters). */
  | { action: 'replace'; key: string; reason: string }
  /** Waits, in order. */
  | { action: 'hold'; reason: string };

const bare = (jid: string | undefined) => tryParseJid(jid ?? '')?.bare().toString() ?? jid ?? '';

/** A message that carries a chat state (XEP-0085) and nothing a user or the history needs. */
function isChatStateOnly(m: Element): boolean {
  const children = m.elements();
  return children.some((c) => c.xmlns === NS.chatStates)
    && !m.getChild('body', NS.client)
    && !children.some((c) => c.xmlns === NS.receipts || c.xmlns === NS.markers);
}

/**
 * The CSI rule (DESIGN §3.2) for one stanza to an inactive session. Urgency is decided upstream
 * (the router's rule set, carried on each delivery); here only how a waiting stanza waits.
 */
export function csiVerdict(stanza: Element, urgent: boolean): CsiVerdict {
  if (urgent) return { action: 'flush', reason: 'urgent: what was held goes first, then this (DESIGN §3.2)' };
  const from = stanza.attrs['from'] ?? '';
  if (stanza.name === 'presence') {
    const type = stanza.attrs['type'];
    if (type === undefined || type === 'unavailable') return { action: 'replace', key: `presence ${from}`, reason: 'presence is coalesced per contact resource: only the newest is sent' };
    return { action: 'hold', reason: 'subscription and error presence are kept, in order' };
  }
  if (stanza.name === 'message' && isChatStateOnly(stanza)) {
    // One conversation, whichever side's session the state came from (a reflected copy has from = own account).
    const pair = [bare(from), bare(stanza.attrs['to'])].sort().join(' ');
    return { action: 'replace', key: `chat-state ${pair}`, reason: 'only the last chat state of a conversation is sent' };
  }
  return { action: 'hold', reason: 'receipts, markers and other non-urgent stanzas are kept, in order' };
}

/** The stanzas held for one session while it is inactive, oldest first. */
export class CsiQueue {
  private held: { stanza: Element; key?: string }[] = [];
  private inactiveNow = false;

  constructor(private readonly maxHeld: number = CSI_MAX_HELD) {}

  get inactive(): boolean {
    return this.inactiveNow;
  }

  get size(): number {
    return this.held.length;
  }

  /** A stanza for the session: returns what to write now, in order. */
  offer(stanza: Element, urgent: boolean): Element[] {
    if (!this.inactiveNow) return [stanza];
    const v = csiVerdict(stanza, urgent);
    if (v.action === 'flush') return [...this.take(), stanza];
    if (v.action === 'replace') this.held = this.held.filter((h) => h.key !== v.key);
    this.held.push({ stanza, ...(v.action === 'replace' ? { key: v.key } : {}) });
    return this.held.length >= this.maxHeld ? this.take() : [];
  }

  /** `<inactive/>` or `<active/>`: going active returns everything held, in order. */
  setInactive(inactive: boolean): Element[] {
    this.inactiveNow = inactive;
    return inactive ? [] : this.take();
  }

  /** Everything held, oldest first; the queue is empty afterwards. */
  take(): Element[] {
    const out = this.held.map((h) => h.stanza);
    this.held = [];
    return out;
  }
}
