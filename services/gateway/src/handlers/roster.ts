import { isRosterRequest, type RosterQuerier } from '../producers/roster-query';
import type { LocalHandler } from './handler';

/** Roster gets and sets (RFC 6121 §2), answered by the presence service; the session then gets roster pushes. */
export function rosterHandler(roster: RosterQuerier): LocalHandler {
  return {
    name: 'roster',
    claims: (e, s) => e.name === 'iq' && !!e.attrs['id'] && isRosterRequest(e, s.jid.bare().toString()),
    async handle(e, s) {
      s.rosterRequested();
      const iq = e.clone();
      iq.attrs['from'] = s.jid.toString();
      for (const answer of await roster.query({ account: s.jid.bare().toString(), fullJid: s.jid.toString(), streamId: s.streamId }, iq)) s.deliver(answer);
    },
  };
}
