import { call, type Bus } from '@concord/bus';
import { PushSettingsRpc } from '@concord/events';
import type { Jid } from '@concord/jid';
import type { Logger } from '@concord/log';
import { concord } from '@concord/proto';
import type { Worker } from '@concord/runtime';
import { parseElement, serialize, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { errorToClient } from '../stanzas/error-to-client';

const TIMEOUT_MS = 10_000;
/** How often the gateway asks whether push works (for disco#info). */
const PROBE_EVERY_MS = 15_000;

const Action = concord.events.v1.PushSettingsRequest_Action;

/** What push settings need of a session. */
export interface PushSession {
  readonly jid: Jid;
  readonly info: { clientId: string };
  deliver(stanza: Element): void;
  /** Whether the device has an enabled registration (written to the session registry). */
  pushEnabled: boolean;
}

/**
 * The push service seen from a gateway: session IQs for it are forwarded over NATS
 * request/reply and its answers written to the session; logins fetch due notices.
 */
export interface PushSettingsClient {
  /** The push service answered lately and can deliver: disco#info lists urn:xmpp:push:0. */
  readonly available: boolean;
  /** Forwards a XEP-0357 enable/disable or notify IQ; resolves once the answer is written. Never rejects. */
  forward(session: PushSession, iq: Element): Promise<void>;
  /** The session has just bound: writes what is due to its device (a push-disabled notice). Never rejects. */
  login(session: PushSession): Promise<void>;
  /** Keeps `available` current. */
  readonly worker: Worker;
}

/** True for a push settings request (get or set) on the session's own account (no `to`, or its own bare JID). */
export function isPushSettingsRequest(iq: Element, account: string): boolean {
  const to = iq.attrs['to'];
  if (to !== undefined && to !== account) return false;
  if (iq.attrs['type'] !== 'get' && iq.attrs['type'] !== 'set') return false;
  return iq.getChild('enable', NS.push) !== undefined || iq.getChild('disable', NS.push) !== undefined || iq.getChild('notify', NS.concord) !== undefined;
}

export function pushSettingsClient(bus: Bus, limits: { maxStanzaBytes: number; maxDepth: number }, log: Logger): PushSettingsClient {
  let available = false;
  let timer: NodeJS.Timeout | undefined;
  const ask = async (session: PushSession | undefined, action: number, iq?: Element) => {
    const res = await call(bus, PushSettingsRpc, {
      action,
      account: session?.jid.bare().toString() ?? '',
      fullJid: session?.jid.toString() ?? '',
      clientId: session?.info.clientId ?? '',
      iqXml: iq ? serialize(iq) : '',
    }, TIMEOUT_MS);
    available = res.available;
    return res;
  };
  const apply = (session: PushSession, res: concord.events.v1.PushSettingsResponse) => {
    session.pushEnabled = res.pushEnabled;
    for (const x of res.stanzas) session.deliver(parseElement(x, limits, NS.client));
  };
  const probe = () => ask(undefined, Action.ACTION_STATUS).catch(() => (available = false));
  return {
    get available() {
      return available;
    },
    async forward(session, iq) {
      const stamped = iq.clone();
      stamped.attrs['from'] = session.jid.toString();
      try {
        const res = await ask(session, Action.ACTION_IQ, stamped);
        if (res.stanzas.length === 0) return session.deliver(errorToClient(log, stamped, 'internal-server-error', 'push settings could not be changed; try again', 'the push service answered with nothing (see its log)'));
        apply(session, res);
      } catch (err) {
        available = false;
        session.deliver(errorToClient(log, stamped, 'service-unavailable', 'push notifications are not available; try again later', err));
      }
    },
    async login(session) {
      try {
        apply(session, await ask(session, Action.ACTION_LOGIN));
      } catch (err) {
        // Nothing is lost: a pending notice stays pending until a login reaches the push service.
        log.debug({ err: (err as Error).message, jid: session.jid.toString() }, 'push login not answered');
      }
    },
    worker: {
      name: 'push-settings-probe',
      async start() {
        void probe();
        timer = setInterval(() => void probe(), PROBE_EVERY_MS);
        timer.unref();
      },
      async stop() {
        clearInterval(timer);
      },
    },
  };
}
