import { malformed } from './common';

/**
 * Parsers for the two SCRAM client messages (grammar of RFC 5802 §7). Any deviation from the
 * grammar is malformed-request; whether the values verify is the session's business.
 */

// RFC 5802 §7: printable = %x21-2B / %x2D-7E (printable ASCII except ",").
export const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;
// saslname = 1*(value-safe-char / "=2C" / "=3D"); value-safe-char is any UTF-8 but NUL, "," and "=".
// §5.1 spells the escapes upper-case and says any other "=" MUST fail authentication.
const SASLNAME = /^(?:[^\0,=]|=2C|=3D)+$/;
// attr-val = ALPHA "=" value, value = 1*value-char (any UTF-8 but NUL and ",").
const ATTR_VAL = /^[A-Za-z]=[^\0,]+$/;
// Attributes RFC 5802 §5.1 defines; they cannot reappear as extensions.
const DEFINED = new Set(['a', 'n', 'm', 'r', 'c', 's', 'i', 'p', 'e', 'v']);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface ClientFirst {
  /** gs2-header, e.g. "n,,": the channel-binding input the client-final must echo. */
  gs2Header: string;
  authzid: string | undefined;
  username: string;
  clientNonce: string;
  /** client-first-message-bare, verbatim: part of AuthMessage. */
  bare: string;
}

export interface ClientFinal {
  channelBinding: Buffer;
  nonce: string;
  proof: Buffer;
  /** client-final-message-without-proof, verbatim: part of AuthMessage. */
  withoutProof: string;
}

export function decodeSaslname(text: string, what: string): string {
  if (!SASLNAME.test(text)) throw malformed(`invalid ${what}`);
  return text.replace(/=2C|=3D/g, (e) => (e === '=2C' ? ',' : '='));
}

/** Strict base64: Buffer.from() would skip junk characters and ignore padding errors. */
function decodeBase64(text: string, what: string): Buffer {
  const bytes = BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
  if (bytes === undefined || bytes.toString('base64') !== text) throw malformed(`${what} is not valid base64`);
  return bytes;
}

/** Trailing extensions are ignored (RFC 5802 §7) but must be well formed; "m" must fail (§5.1). */
function checkExtensions(attrs: readonly string[]): void {
  for (const a of attrs) {
    if (a.startsWith('m=')) throw malformed('mandatory SCRAM extensions are not supported');
    if (!ATTR_VAL.test(a) || DEFINED.has(a[0]!)) throw malformed('invalid SCRAM attribute');
  }
}

function attr(part: string | undefined, name: string, what: string): string {
  if (part === undefined || !part.startsWith(`${name}=`)) throw malformed(`expected ${what}`);
  return part.slice(2);
}

export function parseClientFirst(text: string): ClientFirst {
  // RFC 5802 §6: we advertise no -PLUS variant, so a client asking for channel binding ("p=") is
  // using a mechanism that cannot do what it asks. "y" (client could bind, thinks we cannot) is
  // honest here and accepted; it would only signal a downgrade if we offered -PLUS.
  if (text.startsWith('p=')) throw malformed('channel binding is not supported (no -PLUS mechanism offered)');
  if (!text.startsWith('n,') && !text.startsWith('y,')) throw malformed('invalid GS2 header');
  const end = text.indexOf(',', 2);
  if (end < 0) throw malformed('invalid GS2 header');
  const authz = text.slice(2, end);
  const authzid = authz === '' ? undefined : decodeSaslname(attr(authz, 'a', 'authzid'), 'authzid');
  const bare = text.slice(end + 1);
  const parts = bare.split(',');
  if (parts[0]?.startsWith('m=')) throw malformed('mandatory SCRAM extensions are not supported');
  const username = decodeSaslname(attr(parts[0], 'n', 'username'), 'username');
  const clientNonce = attr(parts[1], 'r', 'nonce');
  if (!NONCE.test(clientNonce)) throw malformed('invalid nonce');
  checkExtensions(parts.slice(2));
  return { gs2Header: text.slice(0, end + 1), authzid, username, clientNonce, bare };
}

export function parseClientFinal(text: string): ClientFinal {
  const parts = text.split(',');
  if (parts.length < 3) throw malformed('incomplete client-final message');
  const proofPart = parts[parts.length - 1]!;
  const channelBinding = decodeBase64(attr(parts[0], 'c', 'channel binding'), 'channel binding');
  const nonce = attr(parts[1], 'r', 'nonce');
  if (!NONCE.test(nonce)) throw malformed('invalid nonce');
  checkExtensions(parts.slice(2, -1));
  const proof = decodeBase64(attr(proofPart, 'p', 'proof'), 'proof');
  return { channelBinding, nonce, proof, withoutProof: text.slice(0, text.length - proofPart.length - 1) };
}
