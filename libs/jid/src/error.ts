/** Which part of an address was at fault; 'whole' when no single part is to blame. */
export type JidPart = 'local' | 'domain' | 'resource' | 'whole';

/**
 * An address that RFC 7622 does not allow. `condition` is the stanza error condition a server
 * returns for it (RFC 6120 §8.3.3.8 <jid-malformed/>), so callers can answer without mapping.
 */
export class JidError extends Error {
  readonly code = 'JID_MALFORMED';
  readonly condition = 'jid-malformed';
  constructor(
    readonly part: JidPart,
    readonly reason: string,
  ) {
    super(part === 'whole' ? `malformed JID: ${reason}` : `malformed JID ${part}part: ${reason}`);
    this.name = 'JidError';
  }
}

/** "U+2163", the way RFCs and error messages name a code point. */
export function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}
