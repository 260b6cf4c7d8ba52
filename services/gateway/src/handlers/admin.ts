import { handleAdmin, isAdminRequest, type AdminContext } from '../stanzas/admin-commands';
import type { LocalHandler } from './handler';

/** XEP-0050 ad-hoc commands for administrators (XEP-0133), addressed to the domain. */
export function adminHandler(domain: string, admin: AdminContext): LocalHandler {
  return {
    name: 'admin',
    claims: (e) => e.name === 'iq' && isAdminRequest(e, domain),
    async handle(e, s) {
      s.deliver(await handleAdmin(e, s.jid.toString(), admin));
    },
  };
}
