import { tryParseJid } from '@concord/jid';
import { invalid } from './errors';

/** The request's account as a canonical bare JID, or INVALID_ARGUMENT. */
export function accountOf(text: string): string {
  if (!text) throw invalid('account is required (a bare JID such as alice@example.org)');
  const jid = tryParseJid(text);
  if (!jid || jid.local === '' || !jid.isBare) throw invalid(`account ${JSON.stringify(text.slice(0, 100))} is not a bare JID of an account`);
  return jid.toString();
}

/** An optional bare JID filter: '' stays ''. */
export function peerOf(text: string): string {
  if (!text) return '';
  const jid = tryParseJid(text);
  if (!jid || !jid.isBare) throw invalid(`with ${JSON.stringify(text.slice(0, 100))} is not a bare JID`);
  return jid.toString();
}
