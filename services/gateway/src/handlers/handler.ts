/**
 * Stanzas the gateway answers itself instead of routing them, the way a Prosody module hooks
 * the stanzas it handles: each handler claims what it answers, and the connection runs the first
 * that claims a stanza (after the inbound checks: `from` stamped, `to` normalized). Everything
 * else goes to the router.
 */
import type { Jid } from '@concord/jid';
import type { Element } from '@concord/xml';
import type { PushSession } from '../producers/push-settings';

/** What a handler may see and do of the session whose stanza it answers. */
export interface HandlerSession extends PushSession {
  readonly streamId: string;
  /** The client's address, for per-address limits. */
  readonly remoteAddress: string;
  /** XEP-0280: carbons on or off; resolves once the session registry says so (the router reads it there). */
  setCarbons(enable: boolean): Promise<void>;
  /** The session asked for its roster (RFC 6121 §2): it counts as a roster user from now on. */
  rosterRequested(): void;
}

/** A handler's answer was written; the stream must end afterwards. */
export interface EndStream {
  endStream: { condition: 'not-authorized'; text: string };
}

export interface LocalHandler {
  /** Names it in logs and in the stanza metrics (a closed set). */
  readonly name: string;
  /** The stanza, checked and stamped, is this handler's to answer. */
  claims(stanza: Element, session: { jid: Jid }): boolean;
  /**
   * Writes the answer to the session; resolves once the stanza's outcome is final. A rejection
   * is a dependency's failure: the request is answered with internal-server-error.
   */
  handle(stanza: Element, session: HandlerSession): Promise<EndStream | void>;
}
