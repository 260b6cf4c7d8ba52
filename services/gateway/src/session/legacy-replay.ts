/**
 * What arrived while a legacy session was away (DESIGN §3.5): at its first available presence
 * (where RFC 6121 §8.5.3 and XEP-0160 servers deliver offline messages), the archived messages
 * after its mark (legacy-marks.ts), oldest first, as plain messages with a XEP-0203 `<delay/>`
 * and their stanza-id; what the account sent from other sessions as XEP-0280 `<sent/>` carbons
 * when the session enabled carbons. The connection holds the live flow meanwhile and drops
 * late live copies of what was replayed, as for the Bind2 catch-up (catchup.ts).
 */
import type { Jid } from '@concord/jid';
import { el, type Element } from '@concord/xml';
import { NS, carbonCopy } from '@concord/xmpp';
import type { ArchiveQuerier } from '../producers/archive-query';
import { runCatchup } from './catchup';
import type { LegacyMarkTracker } from './legacy-marks';

export interface LegacyReplay {
  /** What to write, in order. */
  stanzas: Element[];
  /** Archive IDs the replay covered: late live copies of them are dropped. */
  ids: Set<string>;
}

/** Runs the replay of one stream (the tracker says what it already has). */
export async function legacyReplay(archive: ArchiveQuerier, session: Jid, marks: LegacyMarkTracker, opts: { max: number; carbons: boolean }): Promise<LegacyReplay> {
  const previous = await marks.previous;
  if (previous === undefined) {
    // First login of this resource: nothing is "while away" yet; start from the newest message.
    const newest = await runCatchup(archive, session, { max: 1 });
    marks.takeHanded();
    // Without an answer (no metadata) the archive may not be empty: starting at its beginning
    // would replay all of it next time, so the mark is left to what the session receives.
    if (newest.metadata) marks.begin(newest.lastId || undefined);
    // Nothing replayed, so no live copy is dropped (the newest message may still be on its way live).
    return { stanzas: [], ids: new Set() };
  }
  const catchup = await runCatchup(archive, session, previous.length > 0 ? { afterId: previous[0]!, max: opts.max } : { max: opts.max });
  const have = new Set([...previous, ...marks.takeHanded()]);
  const stanzas: Element[] = [];
  const leftOut: string[] = [];
  for (const result of catchup.results) {
    const r = archive.open(result).getChild('result', NS.mam);
    const forwarded = r?.getChild('forwarded', NS.forward);
    const message = forwarded?.getChild('message', NS.client);
    const id = r?.attrs['id'];
    if (!id || !message || have.has(id)) continue;
    const stanza = replayed(message, forwarded!.getChild('delay', NS.delay), session, opts.carbons);
    if (stanza) stanzas.push(stanza);
    else leftOut.push(id);
  }
  // Left out on purpose: they count as received, so that the next replay does not weigh them again.
  if (leftOut.length > 0) marks.record(leftOut);
  return { stanzas, ids: catchup.ids };
}

/**
 * One archived message as the session gets it, or undefined when it gets nothing: a retracted
 * message (XEP-0424 tombstone) it never saw, a message it sent itself, or one the account sent
 * from another session when it has no carbons (it can find those with XEP-0313).
 */
function replayed(message: Element, delay: Element | undefined, session: Jid, carbons: boolean): Element | undefined {
  if (message.getChild('retracted', NS.retract)) return undefined;
  const account = session.bare().toString();
  const stamp = el('delay', { xmlns: NS.delay, from: session.domain, stamp: delay?.attrs['stamp'] });
  const bareOf = (jid: string | undefined) => jid?.split('/')[0];
  const sentByAccount = bareOf(message.attrs['from']) === account && bareOf(message.attrs['to']) !== account;
  if (!sentByAccount) return message.clone().append(stamp);
  if (message.attrs['from'] === session.toString() || !carbons) return undefined;
  return carbonCopy('sent', account, session.toString(), message, stamp);
}

/** Initial presence (RFC 6121 §4.2): available, broadcast (no `to`). */
export function isInitialPresence(stanza: Element): boolean {
  return stanza.name === 'presence' && stanza.attrs['to'] === undefined && stanza.attrs['type'] === undefined;
}
