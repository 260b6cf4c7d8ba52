import { el, type Element } from '@concord/xml';

/** The result of a session's IQ: to the session, from whatever it addressed (its bare JID or nothing). */
export function iqResult(iq: Element, ...children: Element[]): Element {
  return el('iq', { type: 'result', id: iq.attrs['id'], from: iq.attrs['to'], to: iq.attrs['from'] }, ...children);
}

/** A client request the push service refuses, with the stanza error to answer. */
export class SettingsError extends Error {
  constructor(readonly condition: 'bad-request' | 'jid-malformed' | 'remote-server-not-found' | 'not-acceptable' | 'policy-violation', message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}
