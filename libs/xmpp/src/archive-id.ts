import { createHash } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lowercase, no padding. */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * The archive ID of the sender's copy of a message, which the client can compute before
 * sending (DESIGN §7): the first 26 characters of lowercase unpadded base32 of
 * SHA-256(account + "\n" + client-id + "\n" + origin-id). client-id is the SASL2 user-agent id
 * (the bound resource for RFC 6120 sessions); origin-id is the XEP-0359 origin-id, or the
 * message's id attribute when it has none.
 */
export function predictedArchiveId(account: string, clientId: string, originId: string): string {
  return base32(createHash('sha256').update(`${account}\n${clientId}\n${originId}`, 'utf8').digest()).slice(0, 26);
}
