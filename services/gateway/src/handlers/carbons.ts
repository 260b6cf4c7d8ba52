import { el } from '@concord/xml';
import { carbonsRequest } from '../stanzas/carbons';
import type { LocalHandler } from './handler';

/** XEP-0280 enable/disable: answered once the session registry says so (the router reads it there). */
export function carbonsHandler(domain: string): LocalHandler {
  const request = (e: Parameters<typeof carbonsRequest>[0], account: string) => carbonsRequest(e, { domain, account });
  return {
    name: 'carbons',
    claims: (e, s) => request(e, s.jid.bare().toString()) !== undefined,
    async handle(e, s) {
      const r = request(e, s.jid.bare().toString())!;
      if ('error' in r) return s.deliver(r.error);
      await s.setCarbons(r.enable);
      s.deliver(el('iq', { type: 'result', id: e.attrs['id'] }));
    },
  };
}
