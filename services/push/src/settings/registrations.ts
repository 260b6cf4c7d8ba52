/**
 * XEP-0357 §5 enable and disable. A registration belongs to the device that enabled it (one
 * per device: a new enable replaces it); disable removes the account's registrations for that
 * app server (and node, when given), whichever device made them.
 */
import { JidError, parseJid } from '@concord/jid';
import type { PublishOptions, PushRegistrationStore } from '@concord/storage';
import type { Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { TransportDirectory } from '../transport/transport';
import { SettingsError } from './iq';

export interface SessionRef {
  account: string;
  fullJid: string;
  device: string;
}

/** Longest node and publish-options accepted: they are stored and sent with every notification. */
const MAX_NODE_CHARS = 1_024;
const MAX_OPTIONS_CHARS = 4_096;

function appServerOf(payload: Element): string {
  const text = payload.attrs['jid'];
  if (!text) throw new SettingsError('bad-request', 'the app server jid is required');
  try {
    return parseJid(text).toString();
  } catch (err) {
    if (err instanceof JidError) throw new SettingsError('jid-malformed', `${text} is not a JID`);
    throw err;
  }
}

/** The publish-options form of an enable (XEP-0357 §5), without its FORM_TYPE. */
export function readPublishOptions(enable: Element): PublishOptions {
  const x = enable.getChild('x', NS.dataForms);
  if (!x) return {};
  const fields = new Map(x.getChildren('field', NS.dataForms).map((f) => [f.attrs['var'] ?? '', f.getChildren('value', NS.dataForms).map((v) => v.text())]));
  if (fields.get('FORM_TYPE')?.[0] !== NS.pubsubPublishOptions) {
    throw new SettingsError('bad-request', `publish-options must have FORM_TYPE ${NS.pubsubPublishOptions}`);
  }
  fields.delete('FORM_TYPE');
  fields.delete('');
  const options = Object.fromEntries(fields);
  if (JSON.stringify(options).length > MAX_OPTIONS_CHARS) throw new SettingsError('policy-violation', 'publish-options too large');
  return options;
}

export async function enablePush(store: PushRegistrationStore, transports: TransportDirectory, s: SessionRef, enable: Element): Promise<void> {
  const appServer = appServerOf(enable);
  const node = enable.attrs['node'];
  if (!node) throw new SettingsError('bad-request', 'the node is required');
  if (node.length > MAX_NODE_CHARS) throw new SettingsError('policy-violation', 'node too long');
  const publishOptions = readPublishOptions(enable);
  // Without federation only configured app servers can be reached: refuse now, not at the first message.
  if (!transports.forAppServer(appServer)) throw new SettingsError('remote-server-not-found', `this server cannot reach the app server ${appServer}`);
  await store.put({ account: s.account, device: s.device, appServer, node, publishOptions, enabledAt: new Date(), enabledBy: s.fullJid });
}

export async function disablePush(store: PushRegistrationStore, s: SessionRef, disable: Element): Promise<void> {
  const appServer = appServerOf(disable);
  const node = disable.attrs['node'];
  const matching = (await store.list(s.account)).filter((r) => r.appServer === appServer && (node === undefined || r.node === node));
  await Promise.all(matching.map((r) => store.remove(s.account, r.device)));
}
