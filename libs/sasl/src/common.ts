import { createHmac, randomBytes } from 'node:crypto';
import { SaslError } from './errors';
import { DEFAULT_SCRAM_ITERATIONS, keyBytes, SCRAM_SALT_BYTES, type ScramCredential, type ScramMechanism } from './scram';
import type { CredentialLookup } from './types';

/**
 * Larger than any honest SASL message we accept (names, nonces and proofs are short); bounds the
 * work one message can cause. XMPP caps stanzas too, this is the library's own floor.
 */
export const MAX_MESSAGE_BYTES = 8192;

export const malformed = (why: string): SaslError => new SaslError('malformed-request', why);
export const notAuthorized = (why = 'authentication failed'): SaslError => new SaslError('not-authorized', why);

// Keeps a byte-order mark instead of silently dropping it: SCRAM signs the exact bytes sent.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** RFC 5802 and RFC 4616 messages are UTF-8; anything else is malformed. */
export function decodeUtf8(bytes: Buffer, what: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw malformed(`${what} is not valid UTF-8`);
  }
}

function usable(c: ScramCredential, mech: ScramMechanism): boolean {
  const n = keyBytes(mech);
  return c.salt.length > 0 && Number.isSafeInteger(c.iterations) && c.iterations >= 1 && c.storedKey.length === n && c.serverKey.length === n;
}

/** Calls the lookup, mapping store errors to temporary-auth-failure (RFC 6120 §6.5.13). */
export async function lookupCredential(lookup: CredentialLookup, username: string, mech: ScramMechanism): Promise<ScramCredential | undefined> {
  let c: ScramCredential | undefined;
  try {
    c = await lookup(username, mech);
  } catch (e) {
    if (e instanceof SaslError) throw e;
    throw new SaslError('temporary-auth-failure', 'credential lookup failed', { cause: e });
  }
  if (c !== undefined && !usable(c, mech)) throw new SaslError('temporary-auth-failure', `stored ${mech} credential is malformed`);
  return c;
}

let processSecret: Buffer | undefined; // created on first use, never at import

/**
 * A stand-in credential for an unknown user, so the exchange looks the same as for a real one:
 * the salt is stable for a name (a real salt is) and unpredictable without the secret. The name
 * is folded first (compatibility-normalized, lower-cased) so spellings that the caller's
 * normalization maps to one account share one fake salt, as they would share a real one.
 */
export function fakeCredential(mech: ScramMechanism, username: string, secret?: Buffer): ScramCredential {
  const key = secret ?? (processSecret ??= randomBytes(32));
  const folded = username.normalize('NFKC').toLowerCase().normalize('NFC');
  const derive = (label: string, n: number): Buffer => createHmac('sha256', key).update(`${label}\0${mech}\0${folded}`).digest().subarray(0, n);
  return {
    salt: derive('salt', SCRAM_SALT_BYTES),
    iterations: DEFAULT_SCRAM_ITERATIONS[mech],
    storedKey: derive('stored-key', keyBytes(mech)),
    serverKey: derive('server-key', keyBytes(mech)),
  };
}
