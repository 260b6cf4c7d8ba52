import { responder, type Bus } from '@concord/bus';
import { PushSettingsRpc } from '@concord/events';
import { concord } from '@concord/proto';
import type { Worker } from '@concord/runtime';
import { parseElement, serialize } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { deviceOf } from '../notify/devices';
import { answerLogin, answerSettingsIq, type SettingsAnswer, type SettingsDeps } from '../settings/answer';

/** All push instances share the requests; each is answered by one. */
const QUEUE = 'push';

const Action = concord.events.v1.PushSettingsRequest_Action;

/**
 * Sessions' push settings over core NATS request/reply: IQs forwarded by gateways, logins (due
 * notices), and status probes. A failure answers with no stanzas; the gateway then answers the
 * client with an error itself.
 */
export function settingsWorker(bus: Bus, deps: SettingsDeps): Worker {
  const answer = async (req: concord.events.v1.PushSettingsRequest): Promise<SettingsAnswer & { available: boolean }> => {
    const available = deps.transports.available;
    const session = { account: req.account, fullJid: req.fullJid, device: deviceOf(req.clientId, req.fullJid) };
    switch (req.action) {
      case Action.ACTION_IQ:
        return { ...(await answerSettingsIq(deps, session, parseElement(req.iqXml, undefined, NS.client))), available };
      case Action.ACTION_LOGIN:
        return { ...(await answerLogin(deps, session)), available };
      default:
        return { stanzas: [], pushEnabled: false, available };
    }
  };
  // Answered concurrently: one slow Cassandra read must not hold back every login.
  return responder(bus, PushSettingsRpc, {
    queue: QUEUE,
    answer: async (req) => {
      const a = await answer(req);
      return { stanzas: a.stanzas.map((x) => serialize(x)), pushEnabled: a.pushEnabled, available: a.available };
    },
    failed: () => ({ stanzas: [], pushEnabled: false, available: deps.transports.available }),
    log: deps.log,
  });
}
