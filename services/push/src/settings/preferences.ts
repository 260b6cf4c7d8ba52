/**
 * Notification preferences per conversation (DESIGN §7): `<notify xmlns='urn:concord:mr2:0'>`
 * with `<conversation jid level/>` children; a set stores each, a get returns them all.
 */
import { JidError, parseJid } from '@concord/jid';
import { NOTIFY_LEVELS, type NotifyLevel, type NotifyPrefsStore } from '@concord/storage';
import { el, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { SettingsError } from './iq';

/** Conversations one set may name: a client sends one or a few. */
const MAX_PER_SET = 100;

export interface PrefChange {
  conversation: string;
  level: NotifyLevel;
}

/** Validates a set's children; throws SettingsError on the first bad one, so nothing is half-applied. */
export function readPrefChanges(notify: Element): PrefChange[] {
  const items = notify.getChildren('conversation', NS.concord);
  if (items.length === 0) throw new SettingsError('bad-request', 'name at least one <conversation jid level/>');
  if (items.length > MAX_PER_SET) throw new SettingsError('policy-violation', `at most ${MAX_PER_SET} conversations per set`);
  return items.map((c) => {
    const level = c.attrs['level'] as NotifyLevel;
    if (!NOTIFY_LEVELS.includes(level)) throw new SettingsError('bad-request', `level must be one of ${NOTIFY_LEVELS.join(', ')}`);
    return { conversation: conversationJid(c.attrs['jid']), level };
  });
}

/** A conversation is named by a bare JID (a contact or a room). */
export function conversationJid(text: string | undefined): string {
  if (!text) throw new SettingsError('bad-request', 'the conversation jid is required');
  try {
    const jid = parseJid(text);
    if (!jid.isBare) throw new SettingsError('jid-malformed', `${text}: a conversation is a bare JID`);
    return jid.toString();
  } catch (err) {
    if (err instanceof JidError) throw new SettingsError('jid-malformed', `${text} is not a JID`);
    throw err;
  }
}

export async function setPrefs(store: NotifyPrefsStore, account: string, notify: Element): Promise<void> {
  const changes = readPrefChanges(notify);
  await Promise.all(changes.map((c) => store.set(account, c.conversation, c.level)));
}

export async function listPrefs(store: NotifyPrefsStore, account: string): Promise<Element> {
  const prefs = await store.list(account);
  return el('notify', { xmlns: NS.concord }, ...prefs.map((p) => el('conversation', { jid: p.conversation, level: p.level })));
}
