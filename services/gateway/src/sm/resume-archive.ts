/**
 * What a stream resumed from its record (after its gateway crashed or restarted) takes from the
 * archive: the archived messages its unacknowledged queue names (sm-record.ts), and those
 * archived while nobody held the stream — live deliveries to a dead gateway are lost (core
 * NATS), so they are replayed, oldest first, in the form a live delivery would have had, with
 * a XEP-0203 delay. The connection holds the live flow meanwhile and drops late live copies of
 * what was replayed, as for the Bind2 catch-up.
 */
import type { Jid } from '@concord/jid';
import { el, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { ArchiveQuerier } from '../producers/archive-query';
import { CATCHUP_QUERY_ID, runCatchup } from '../session/catchup';
import { replayed } from '../session/legacy-replay';
import type { Archived, ReplayStart } from './sm-record';

/** IDs asked for in one query (one bus message answers it; pages go on after the last). */
const IDS_PER_QUERY = 500;

function idsQuery(ids: string[], session: Jid, after: string | undefined): Element {
  const field = (name: string, ...values: string[]) => el('field', { var: name }, ...values.map((v) => el('value', {}, v)));
  return el('iq', { type: 'set', id: 'sm-resume', from: session.toString() }, el('query', { xmlns: NS.mam, queryid: CATCHUP_QUERY_ID },
    el('x', { xmlns: NS.dataForms, type: 'submit' }, el('field', { var: 'FORM_TYPE', type: 'hidden' }, el('value', {}, NS.mam)), field('ids', ...ids)),
    el('set', { xmlns: NS.rsm }, el('max', {}, String(ids.length)), after ? el('after', {}, after) : undefined)));
}

/** One result of ArchiveQuerier.page, opened, with its archive ID. */
function archivedOf(archive: ArchiveQuerier, result: Element): { id: string; archived: Archived } | undefined {
  const r = archive.open(result).getChild('result', NS.mam);
  const forwarded = r?.getChild('forwarded', NS.forward);
  const message = forwarded?.getChild('message', NS.client);
  const id = r?.attrs['id'];
  return id && message ? { id, archived: { result, message, stamp: forwarded!.getChild('delay', NS.delay)?.attrs['stamp'] } } : undefined;
}

/**
 * The archived messages with these IDs, by ID (those deleted since are missing). Throws when the
 * archive does not answer: a resumption that cannot rebuild its queue must not go on without it.
 */
export async function fetchArchived(archive: ArchiveQuerier, session: Jid, ids: string[]): Promise<Map<string, Archived>> {
  const found = new Map<string, Archived>();
  const account = session.bare().toString();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    const chunk = unique.slice(i, i + IDS_PER_QUERY);
    let after: string | undefined;
    for (;;) {
      const page = await archive.page(account, session.toString(), idsQuery(chunk, session, after), { minPosition: 0, maxResults: chunk.length });
      if (page.end.attrs['type'] === 'error') throw new Error('the archive could not answer the resumption');
      for (const r of page.results) {
        const a = archivedOf(archive, r.stanza);
        if (a) found.set(a.id, a.archived);
      }
      after = page.results.at(-1)?.id;
      if (page.end.getChild('fin', NS.mam)?.attrs['complete'] === 'true' || !after) break;
    }
  }
  return found;
}

/**
 * An archived message as the session would have had it live (DESIGN §3.1, §7), or undefined:
 * a 2.0 session gets the account's copy, the account's own messages from its other sessions
 * included; a legacy session gets what its replay gives (legacy-replay.ts).
 */
export function missedForm(message: Element, stamp: string | undefined, session: Jid, s: { imNg: boolean; carbons: boolean }): Element | undefined {
  const delay = el('delay', { xmlns: NS.delay, from: session.domain, stamp });
  if (!s.imNg) return replayed(message, delay, session, s.carbons);
  if (message.getChild('retracted', NS.retract) || message.attrs['from'] === session.toString()) return undefined;
  return message.clone().append(delay);
}

/**
 * What was archived after `start` and not sent to the stream, in the form it gets it. `behind`:
 * the archive had not written everything routed before the session was registered again (the
 * caller asks again until it has).
 */
export async function replayMissed(archive: ArchiveQuerier, session: Jid, start: ReplayStart, opts: { max: number; imNg: boolean; carbons: boolean }): Promise<{ stanzas: Element[]; ids: Set<string>; behind: boolean }> {
  const catchup = await runCatchup(archive, session, { ...(start.afterId ? { afterId: start.afterId } : { since: start.since }), max: opts.max });
  const stanzas: Element[] = [];
  for (const result of catchup.results) {
    const a = archivedOf(archive, result);
    if (!a || start.skip.has(a.id)) continue;
    const stanza = missedForm(a.archived.message, a.archived.stamp, session, opts);
    if (stanza) stanzas.push(stanza);
  }
  return { stanzas, ids: catchup.ids, behind: catchup.behind };
}
