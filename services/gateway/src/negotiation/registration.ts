import { JidError, makeJid, normalizeLocalpart, type Jid } from '@concord/jid';
import { deriveAllCredentials, preparePassword, type AuthThrottle } from '@concord/sasl';
import type { AccountStore } from '@concord/storage';
import { el, type Element } from '@concord/xml';
import { NS, errorReply } from '@concord/xmpp';

export interface RegistrationDeps {
  accounts: AccountStore;
  domain: string;
  remoteIp: string;
  /** New accounts per IP are limited with the same sliding window as auth failures. */
  throttle: AuthThrottle;
  enabled: boolean;
}

const result = (iq: Element, ...children: Element[]) => el('iq', { type: 'result', id: iq.attrs['id'] }, ...children);

function fields(query: Element): { username?: string; password?: string } {
  const username = query.getChildText('username', NS.register);
  const password = query.getChildText('password', NS.register);
  return { ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) };
}

/**
 * XEP-0077 before authentication: the registration form, and account creation. Off unless the
 * operator enables it (CONCORD_GATEWAY_REGISTRATION).
 */
export async function registerBeforeAuth(iq: Element, query: Element, d: RegistrationDeps): Promise<Element> {
  if (!d.enabled) return errorReply(iq, 'service-unavailable');
  if (iq.attrs['type'] === 'get') {
    return result(iq, el('query', { xmlns: NS.register }, el('instructions', {}, 'Choose a username and password.'), el('username'), el('password')));
  }
  if (iq.attrs['type'] !== 'set') return errorReply(iq, 'bad-request');
  const gate = d.throttle.check(d.remoteIp);
  if (!gate.allowed) return errorReply(iq, 'resource-constraint', { text: `too many registrations; retry in ${Math.ceil(gate.retryAfterMs / 1000)}s` });
  const f = fields(query);
  if (!f.username || !f.password) return errorReply(iq, 'not-acceptable', { text: 'username and password are required' });
  let jid: Jid;
  let password: string;
  try {
    jid = makeJid(normalizeLocalpart(f.username), d.domain);
    password = preparePassword(f.password);
  } catch (err) {
    if (err instanceof JidError) return errorReply(iq, 'jid-malformed', { text: 'username not allowed' });
    return errorReply(iq, 'not-acceptable', { text: 'password not allowed' });
  }
  const created = await d.accounts.create({ jid: jid.toString(), credentials: deriveAllCredentials(password), createdAt: new Date(), admin: false, disabled: false });
  if (!created) return errorReply(iq, 'conflict', { text: 'that username is taken' });
  d.throttle.failure(d.remoteIp);
  return result(iq);
}

/**
 * XEP-0077 for a logged-in account: change the password (always allowed), or cancel the
 * registration (only when registration is enabled). Returns whether the stream must end.
 */
export async function registerAfterAuth(iq: Element, query: Element, account: Jid, d: RegistrationDeps): Promise<{ reply: Element; endStream: boolean }> {
  if (iq.attrs['type'] === 'get') {
    return { reply: result(iq, el('query', { xmlns: NS.register }, el('registered'), el('username', {}, account.local), el('password'))), endStream: false };
  }
  if (query.getChild('remove', NS.register)) {
    if (!d.enabled) return { reply: errorReply(iq, 'not-allowed', { text: 'ask the operator to delete the account' }), endStream: false };
    await d.accounts.remove(account.toString());
    return { reply: result(iq), endStream: true };
  }
  const f = fields(query);
  if (!f.password || (f.username !== undefined && f.username.toLowerCase() !== account.local)) {
    return { reply: errorReply(iq, 'bad-request', { text: 'give your own username and a new password' }), endStream: false };
  }
  let password: string;
  try {
    password = preparePassword(f.password);
  } catch {
    return { reply: errorReply(iq, 'not-acceptable', { text: 'password not allowed' }), endStream: false };
  }
  await d.accounts.setCredentials(account.toString(), deriveAllCredentials(password));
  return { reply: result(iq), endStream: false };
}
