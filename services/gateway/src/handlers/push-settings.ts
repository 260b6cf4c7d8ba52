import { isPushSettingsRequest, type PushSettingsClient } from '../producers/push-settings';
import type { LocalHandler } from './handler';

/** XEP-0357 enable/disable (and the device's notify IQs), answered by the push service. */
export function pushSettingsHandler(push: Pick<PushSettingsClient, 'forward'>): LocalHandler {
  return {
    name: 'push-settings',
    claims: (e, s) => e.name === 'iq' && !!e.attrs['id'] && isPushSettingsRequest(e, s.jid.bare().toString()),
    handle: (e, s) => push.forward(s, e),
  };
}
