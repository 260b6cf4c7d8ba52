import { NS } from '@concord/xmpp';
import { registerAfterAuth, type RegistrationDeps } from '../negotiation/registration';
import type { LocalHandler } from './handler';

/** XEP-0077 after login: password change and account removal (which ends the stream). */
export function registrationHandler(deps: Omit<RegistrationDeps, 'remoteIp'>): LocalHandler {
  return {
    name: 'registration',
    claims: (e) => e.name === 'iq' && e.attrs['to'] === undefined && !!e.attrs['id']
      && (e.attrs['type'] === 'get' || e.attrs['type'] === 'set') && e.getChild('query', NS.register) !== undefined,
    async handle(e, s) {
      const { reply, endStream } = await registerAfterAuth(e, e.getChild('query', NS.register)!, s.jid.bare(), { ...deps, remoteIp: s.remoteAddress });
      s.deliver(reply);
      if (endStream) return { endStream: { condition: 'not-authorized', text: 'the account was removed' } };
    },
  };
}
