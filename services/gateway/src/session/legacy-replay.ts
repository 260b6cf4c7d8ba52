/**
 * What arrived while a legacy session was away (DESIGN §3.5): at its first available presence
 * (where RFC 6121 §8.5.3 and XEP-0160 servers deliver offline messages), the archived messages
 * after its mark (legacy-marks.ts), oldest first, as plain messages with a XEP-0203 `<delay/>`
 * and their stanza-id; what the account sent from other sessions as XEP-0280 `<sent/>` carbons
 * when the session enabled carbons. The connection holds the live archived messages meanwhile
 * and drops late live copies of what was replayed, as for the Bind2 catch-up (catchup.ts).
 *
 * The replay reads the archive only once it has written every history event routed before the
 * session was registered, and retries until it has a complete answer: the messages routed while
 * the session was away reach it live never, so an answer without them (an archive behind after
 * a Cassandra outage, or not answering) would lose them for good once live messages move the
 * mark past them.
 */
import { backoffMs, sleep } from '@concord/bus';
import type { Jid } from '@concord/jid';
import { el, type Element } from '@concord/xml';
import { NS, carbonCopy } from '@concord/xmpp';
import type { ArchiveQuerier, ResultPage } from '../producers/archive-query';
import { newest, pageAsker, runCatchup } from './catchup';
import type { LegacyMarkTracker } from './legacy-marks';

export interface LegacyReplay {
  /** What to write, in order. */
  stanzas: Element[];
  /** Archive IDs the replay covered: late live copies of them are dropped. */
  ids: Set<string>;
}

export interface ReplayOptions {
  max: number;
  carbons: boolean;
  /** Waits between attempts while the archive is behind or does not answer. */
  retry: { firstMs: number; maxMs: number };
  /** The session ended: stop trying (its mark still says where the next replay starts). */
  isOver(): boolean;
  /** An attempt that did not give a complete answer, and why (for the log). */
  onRetry?(reason: string): void;
}

/** The session ended before its replay could run. */
export class ReplayAbandoned extends Error {}

/** Runs the replay of one stream (the tracker says what it already has). */
export async function legacyReplay(archive: ArchiveQuerier, session: Jid, marks: LegacyMarkTracker, opts: ReplayOptions): Promise<LegacyReplay> {
  const previous = await marks.previous;
  if (previous === undefined) {
    // First login of this resource: nothing is "while away" yet; start from the newest message.
    const latest = await runCatchup(archive, session, { max: 1 });
    marks.takeHanded();
    // Without an answer (no metadata) the archive may not be empty: starting at its beginning
    // would replay all of it next time, so the mark is left to what the session receives.
    if (latest.metadata) marks.begin(latest.lastId || undefined);
    // Nothing replayed, so no live copy is dropped (the newest message may still be on its way live).
    return { stanzas: [], ids: new Set() };
  }
  const results = await missedSince(archive, session, previous[0], opts);
  const have = new Set([...previous, ...marks.takeHanded()]);
  const stanzas: Element[] = [];
  const leftOut: string[] = [];
  for (const result of results) {
    const r = archive.open(result.stanza).getChild('result', NS.mam);
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
  return { stanzas, ids: new Set(results.map((r) => r.id)) };
}

/** The newest `max` archived messages after `afterId` (all of them when it is undefined), complete. */
async function missedSince(archive: ArchiveQuerier, session: Jid, afterId: string | undefined, opts: ReplayOptions): Promise<ResultPage['results']> {
  let attempt = 0;
  const again = async (reason: string) => {
    if (opts.isOver()) throw new ReplayAbandoned(reason);
    opts.onRetry?.(reason);
    await sleep(backoffMs(opts.retry, ++attempt));
  };
  // Read once: everything routed before the session was registered is at or below it, and a
  // head read again on each attempt would run ahead of the archive for as long as traffic flows.
  let head: number | undefined;
  while (head === undefined) {
    try {
      head = await archive.historyHead();
    } catch (err) {
      await again(`history head: ${(err as Error).message}`);
    }
  }
  for (;;) {
    const through = await archive.archivedThrough().catch(() => -1);
    if (through < head) {
      await again(through < 0 ? 'the archive\'s progress is unknown' : `the archive has written history through ${through} of ${head}`);
      continue;
    }
    const ask = pageAsker(archive, session, head);
    let page = await newest(ask, afterId ? { afterId, max: opts.max } : { max: opts.max });
    let verdict = replayAnswer(page, opts.max, afterId !== undefined);
    if (verdict.kind === 'newest-instead') verdict = replayAnswer(page = await newest(ask, { max: opts.max }), opts.max, false);
    if (verdict.kind === 'complete') return page.results;
    await again(verdict.reason);
  }
}

/** What the replay does with the archive's answer to "the newest `max` after the mark". */
export type ReplayAnswerVerdict = { kind: 'complete' } | { kind: 'newest-instead'; reason: string } | { kind: 'ask-again'; reason: string };

/**
 * An answer is the replay when it reached the end or `max` (the newest `max` are what a replay
 * gives). The mark's ID unknown to the archive (retention removed it) leaves the newest part as
 * all there is to give; any other error or a partial answer is asked again: taking it would
 * lose what it lacks for good.
 */
export function replayAnswer(page: { results: unknown[]; complete: boolean; error: boolean; unknownPosition?: boolean }, max: number, afterMark: boolean): ReplayAnswerVerdict {
  if (page.error && page.unknownPosition && afterMark) return { kind: 'newest-instead', reason: 'the archive no longer has the mark\'s message' };
  if (page.error) return { kind: 'ask-again', reason: 'the archive did not answer' };
  if (page.complete || page.results.length >= max) return { kind: 'complete' };
  return { kind: 'ask-again', reason: 'the archive answered part of the replay' };
}

/**
 * One archived message as the session gets it, or undefined when it gets nothing: a retracted
 * message (XEP-0424 tombstone) it never saw, a message it sent itself, or one the account sent
 * from another session when it has no carbons (it can find those with XEP-0313).
 */
export function replayed(message: Element, delay: Element | undefined, session: Jid, carbons: boolean): Element | undefined {
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
