/**
 * What a Stream Management record holds about outbound stanzas, and how a resumption reads it
 * back (pure; SmStateRecord in events.proto). An archived message the session was sent is kept
 * by reference — the account's archive ID and the form it was sent in — and rebuilt from the
 * archive on resumption, so the record stays small; anything else is kept as XML.
 */
import type { Jid } from '@concord/jid';
import { concord } from '@concord/proto';
import { el, serialize, type Element } from '@concord/xml';
import { NS, carbonCopy } from '@concord/xmpp';

export type SmQueued = concord.events.v1.SmQueued;
export const Form = concord.events.v1.SmQueued_Form;
export type Form = concord.events.v1.SmQueued_Form;

/** An archived message as sent to the session. */
export interface Reference {
  archiveId: string;
  form: Exclude<Form, typeof Form.FORM_XML>;
}

/** How many archive IDs a record keeps of what the session was last sent (see recent_archive_ids). */
export const RECENT_IDS = 16;

/**
 * With nothing archived sent yet, a replay starts this long before the session was bound:
 * messages routed around the binding may have been meant for it (gateway clocks and routing
 * latency); as none reached it, more is never a duplicate.
 */
export const UNSENT_REPLAY_SLACK_MS = 5_000;

/** XEP-0198 counters wrap at 2^32. */
const MOD = 2 ** 32;

/** The one stanza-id of `account` in a message, or undefined (none, or several: not a server-made copy). */
function ownStanzaId(message: Element, account: string): string | undefined {
  const ids = message.getChildren('stanza-id', NS.sid).filter((s) => s.attrs['by'] === account);
  return ids.length === 1 ? ids[0]!.attrs['id'] : undefined;
}

/** A XEP-0203 delay the gateway added itself (a replay: legacy-replay.ts), not one the sender put in. */
function isServerDelay(e: Element | undefined, domain: string): boolean {
  return e !== undefined && e.name === 'delay' && e.attrs['xmlns'] === NS.delay && e.attrs['from'] === domain;
}

/**
 * The reference a stanza sent to `session` can be kept as, or undefined (kept as XML). Live
 * deliveries of persistent messages are the archived copy as stored (route-message.ts); replays
 * add a delay; XEP-0280 <sent/> carbons wrap the sender's archived copy. Catch-up results are
 * unparsed (Verbatim) and are named by the caller, who knows their IDs.
 */
export function referenceOf(stanza: Element, session: Jid): Reference | undefined {
  if (stanza.name !== 'message' || stanza.attrs['type'] === 'error') return undefined;
  const account = session.bare().toString();
  const forwarded = stanza.getChild('sent', NS.carbons)?.getChild('forwarded', NS.forward);
  if (forwarded) {
    const inner = forwarded.getChild('message', NS.client);
    const archiveId = inner && stanza.attrs['to'] === session.toString() ? ownStanzaId(inner, account) : undefined;
    if (!archiveId) return undefined;
    return { archiveId, form: isServerDelay(forwarded.getChild('delay', NS.delay), session.domain) ? Form.FORM_DELAYED_SENT_CARBON : Form.FORM_SENT_CARBON };
  }
  if (stanza.getChild('received', NS.carbons) || stanza.getChild('result', NS.mam)) return undefined;
  const archiveId = ownStanzaId(stanza, account);
  if (!archiveId) return undefined;
  const children = stanza.elements();
  return { archiveId, form: isServerDelay(children.at(-1), session.domain) ? Form.FORM_DELAYED : Form.FORM_MESSAGE };
}

/** One unacknowledged stanza as the record keeps it. */
export function queuedOf(stanza: Element, ref: Reference | undefined): SmQueued {
  return ref ? { xml: '', archiveId: ref.archiveId, form: ref.form } : { xml: serialize(stanza), archiveId: '', form: Form.FORM_XML };
}

/** An archived message as the archive answers it: the result message, the stored copy and its time. */
export interface Archived {
  result: Element;
  message: Element;
  stamp: string | undefined;
}

/**
 * The stanza a queued entry stands for, or undefined when its message is no longer in the
 * archive (deleted) — it is then not re-sent (see resendPlan: unacknowledged stanzas are
 * numbered again on resumption, so one left out shifts nothing the client counted).
 */
export function rebuild(q: SmQueued, archived: Archived | undefined, session: Jid, parse: (xml: string) => Element): Element | undefined {
  if (q.form === Form.FORM_XML) return parse(q.xml);
  if (!archived) return undefined;
  const delay = () => el('delay', { xmlns: NS.delay, from: session.domain, stamp: archived.stamp });
  const account = session.bare().toString();
  switch (q.form) {
    case Form.FORM_CATCHUP_RESULT: return archived.result;
    case Form.FORM_MESSAGE: return archived.message.clone();
    case Form.FORM_DELAYED: return archived.message.clone().append(delay());
    case Form.FORM_SENT_CARBON: return carbonCopy('sent', account, session.toString(), archived.message);
    case Form.FORM_DELAYED_SENT_CARBON: return carbonCopy('sent', account, session.toString(), archived.message, delay());
    default: return undefined;
  }
}

/** The record's outbound counters and queue (SmStateRecord). */
export interface OutboundState {
  outboundSent: number;
  outboundAcked: number;
  queued: SmQueued[];
}

/**
 * XEP-0198 §5 on a stored stream: the client says it handled `h` (32-bit) of what it was sent.
 * Answers the absolute count that is, and the queued stanzas after it (to re-send), or
 * undefined when `h` is impossible (more than was sent). An `h` below what the client already
 * acknowledged counts as that (it cannot un-handle a stanza).
 */
export function resendPlan(r: OutboundState, h: number): { acked: number; resend: SmQueued[] } | undefined {
  if (!Number.isInteger(h) || h < 0 || h >= MOD) return undefined;
  const sent = r.outboundSent;
  if (sent < MOD && h > sent) return undefined;
  const acked = Math.max(r.outboundAcked, sent - (((sent - h) % MOD) + MOD) % MOD);
  const firstQueued = sent - r.queued.length;
  return { acked, resend: r.queued.slice(Math.max(0, acked - firstQueued)) };
}

/** Where the replay of a stream resumed from its record starts, and what it leaves out. */
export interface ReplayStart {
  /** After this archive ID... */
  afterId?: string;
  /** ...or, with nothing archived sent yet, from this time (XEP-0082). */
  since?: string;
  /** Sent already (acknowledged, or queued to be re-sent). */
  skip: Set<string>;
}

/**
 * The session missed every live delivery while its gateway was down: the replay brings what was
 * archived after the oldest of the last archive IDs it was sent, minus those and the queued ones.
 */
export function replayStart(r: { recentArchiveIds: string[]; queued: SmQueued[]; boundAtMs: number }): ReplayStart {
  const skip = new Set([...r.recentArchiveIds, ...r.queued.filter((q) => q.form !== Form.FORM_XML).map((q) => q.archiveId)]);
  const first = r.recentArchiveIds[0];
  if (first) return { afterId: first, skip };
  return { since: new Date(Math.max(0, r.boundAtMs - UNSENT_REPLAY_SLACK_MS)).toISOString(), skip };
}

/** The last RECENT_IDS archive IDs counted outbound, oldest first. */
export function pushRecent(recent: string[], archiveId: string): void {
  recent.push(archiveId);
  if (recent.length > RECENT_IDS) recent.splice(0, recent.length - RECENT_IDS);
}
