import type { Jid } from '@concord/jid';
import { el, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';

/**
 * Whether the presence service knows a session (it sent presence or asked for the roster), so
 * that the session's end must be announced to it: a stream that closes without unavailable
 * presence is broadcast unavailable all the same (RFC 6121 §4.5.2).
 */
export class SessionPresence {
  private known = false;

  used(): void {
    this.known = true;
  }

  /**
   * The unavailable presence that announces the end, or nothing when the presence service never
   * heard of the session. Published at SESSION_END_SEQ (@concord/events).
   */
  endOf(session: Jid): Element | undefined {
    if (!this.known) return undefined;
    this.known = false;
    return el('presence', { xmlns: NS.client, type: 'unavailable', from: session.toString() });
  }
}
