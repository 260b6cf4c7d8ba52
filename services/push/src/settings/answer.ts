import type { Logger } from '@concord/log';
import type { PushAccountsWriter } from '@concord/registry';
import type { NotifyPrefsStore, PushRegistration, PushRegistrationStore, PushSentStore } from '@concord/storage';
import { el, type Element } from '@concord/xml';
import { NS, errorReply } from '@concord/xmpp';
import type { TransportDirectory } from '../transport/transport';
import { iqResult, SettingsError } from './iq';
import { listPrefs, setPrefs } from './preferences';
import { refreshPushAccount } from './push-accounts';
import { disablePush, enablePush, type SessionRef } from './registrations';

export interface SettingsDeps {
  domain: string;
  registrations: PushRegistrationStore;
  pushAccounts: PushAccountsWriter;
  sent: PushSentStore;
  prefs: NotifyPrefsStore;
  transports: TransportDirectory;
  log: Logger;
}

export interface SettingsAnswer {
  /** Stanzas for the session, in order. */
  stanzas: Element[];
  /** The device has an enabled registration. */
  pushEnabled: boolean;
}

const enabled = (r: PushRegistration | undefined) => r !== undefined && r.disabled === undefined;

async function handle(deps: SettingsDeps, s: SessionRef, iq: Element): Promise<Element> {
  const type = iq.attrs['type'];
  const payloads = iq.elements();
  if ((type !== 'get' && type !== 'set') || payloads.length !== 1) throw new SettingsError('bad-request', 'get or set with exactly one payload');
  const payload = payloads[0]!;
  const what = `${type} ${payload.name} ${payload.attrs['xmlns']}`;
  switch (what) {
    case `set enable ${NS.push}`:
      await enablePush(deps.registrations, deps.transports, s, payload);
      // Before the result: once the client knows it is registered, the router asks for its pushes.
      await deps.pushAccounts.set(s.account, true);
      return iqResult(iq);
    case `set disable ${NS.push}`:
      await disablePush(deps.registrations, s, payload);
      await refreshPushAccount(deps.registrations, deps.pushAccounts, s.account);
      return iqResult(iq);
    case `set notify ${NS.concord}`:
      await setPrefs(deps.prefs, s.account, payload);
      return iqResult(iq);
    case `get notify ${NS.concord}`:
      return iqResult(iq, await listPrefs(deps.prefs, s.account));
    default:
      throw new SettingsError('bad-request', `${type} <${payload.name}/> is not a push settings request`);
  }
}

/** Answers a session's XEP-0357 enable/disable or notify IQ (forwarded by its gateway). */
export async function answerSettingsIq(deps: SettingsDeps, s: SessionRef, iq: Element): Promise<SettingsAnswer> {
  let reply: Element;
  try {
    reply = await handle(deps, s, iq);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    reply = errorReply(iq, err.condition, { text: err.message });
  }
  return { stanzas: [reply], pushEnabled: enabled(await deps.registrations.get(s.account, s.device)) };
}

/**
 * The device logged in: its message-count starts again, and if its registration was disabled
 * meanwhile (the app server refused for good), it is told once:
 * `<push-disabled xmlns='urn:concord:mr2:0' jid node reason/>` (docs/protocol.md).
 */
export async function answerLogin(deps: SettingsDeps, s: SessionRef): Promise<SettingsAnswer> {
  const reg = await deps.registrations.get(s.account, s.device);
  if (!reg) return { stanzas: [], pushEnabled: false };
  await deps.sent.reset(s.account, s.device);
  if (!reg.disabled) return { stanzas: [], pushEnabled: true };
  if (!reg.disabled.noticePending || !(await deps.registrations.takeNotice(s.account, s.device))) return { stanzas: [], pushEnabled: false };
  deps.log.info({ account: s.account, device: s.device, appServer: reg.appServer }, 'device told its push registration was disabled');
  const notice = el('message', { from: deps.domain, to: s.fullJid },
    el('push-disabled', { xmlns: NS.concord, jid: reg.appServer, node: reg.node, reason: reg.disabled.reason }));
  return { stanzas: [notice], pushEnabled: false };
}
