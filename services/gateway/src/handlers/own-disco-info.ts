import { NS } from '@concord/xmpp';
import type { PushSettingsClient } from '../producers/push-settings';
import { answerOwnAccountDiscoInfo, isOwnAccountDiscoInfo } from '../stanzas/local-iq';
import type { LocalHandler } from './handler';

/** XEP-0030 disco#info on the user's own bare JID (XEP-0357 §5 asks it for push support). */
export function ownDiscoInfoHandler(push: Pick<PushSettingsClient, 'available'>): LocalHandler {
  return {
    name: 'own-disco-info',
    claims: (e, s) => e.name === 'iq' && !!e.attrs['id'] && isOwnAccountDiscoInfo(e, s.jid.bare().toString()),
    async handle(e, s) {
      const reply = answerOwnAccountDiscoInfo(e, push.available ? [NS.push] : []);
      reply.attrs['to'] = s.jid.toString();
      s.deliver(reply);
    },
  };
}
