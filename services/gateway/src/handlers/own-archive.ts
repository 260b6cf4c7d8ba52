import { isOwnArchiveRequest, type ArchiveQuerier } from '../producers/archive-query';
import type { LocalHandler } from './handler';

/** XEP-0313 queries of the user's own archive, answered by the archive service. */
export function ownArchiveHandler(archive: Pick<ArchiveQuerier, 'query'>): LocalHandler {
  return {
    name: 'own-archive',
    claims: (e, s) => e.name === 'iq' && !!e.attrs['id'] && isOwnArchiveRequest(e, s.jid.bare().toString()),
    async handle(e, s) {
      const iq = e.clone();
      iq.attrs['from'] = s.jid.toString();
      for (const answer of await archive.query(s.jid.bare().toString(), s.jid.toString(), iq)) s.deliver(answer);
    },
  };
}
