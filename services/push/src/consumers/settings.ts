import type { Subscription } from '@nats-io/transport-node';
import type { Bus } from '@concord/bus';
import { concord } from '@concord/proto';
import type { Worker } from '@concord/runtime';
import { parseElement, serialize } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { deviceOf } from '../notify/devices';
import { answerLogin, answerSettingsIq, type SettingsAnswer, type SettingsDeps } from '../settings/answer';

/** All push instances share the requests; each is answered by one. */
const QUEUE = 'push';

const Request = concord.events.v1.PushSettingsRequest;
const Response = concord.events.v1.PushSettingsResponse;
const Action = concord.events.v1.PushSettingsRequest_Action;

/**
 * Sessions' push settings over core NATS request/reply: IQs forwarded by gateways, logins (due
 * notices), and status probes. A failure answers with no stanzas; the gateway then answers the
 * client with an error itself.
 */
export function settingsWorker(bus: Bus, deps: SettingsDeps): Worker {
  let sub: Subscription | undefined;
  let loop: Promise<void> | undefined;
  const answer = async (data: Uint8Array): Promise<SettingsAnswer & { available: boolean }> => {
    const req = Request.decode(data);
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
  return {
    name: 'push-settings',
    async start() {
      const s = bus.nc.subscribe(bus.names.subjects.pushSettings(), { queue: QUEUE });
      sub = s;
      loop = (async () => {
        for await (const m of s) {
          // Answered concurrently: one slow Cassandra read must not hold back every login.
          void answer(m.data).then(
            (a) => m.respond(Response.encode({ stanzas: a.stanzas.map((x) => serialize(x)), pushEnabled: a.pushEnabled, available: a.available }).finish()),
            (err: Error) => {
              deps.log.error({ err: err.message }, 'push settings request failed');
              m.respond(Response.encode({ stanzas: [], pushEnabled: false, available: deps.transports.available }).finish());
            },
          );
        }
      })();
    },
    async stop() {
      await sub?.drain();
      await loop;
    },
  };
}
