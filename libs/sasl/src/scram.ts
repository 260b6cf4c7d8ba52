import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import { preparePassword } from './prep';

/** Salted SCRAM keys for one mechanism (RFC 5802 §3); same shape as @concord/storage persists. */
export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export type ScramMechanism = 'SCRAM-SHA-1' | 'SCRAM-SHA-256';

export const SCRAM_MECHANISMS: readonly ScramMechanism[] = Object.freeze(['SCRAM-SHA-256', 'SCRAM-SHA-1'] as const);

/**
 * Iteration count for new credentials. RFC 7677 §4 says the count SHOULD be at least 4096 (and
 * RFC 5802 §5.1 uses 4096 as its floor). We stay at the floor because every client, phones
 * included, repeats the work on each login, and unknown users are answered with this same count,
 * so raising it for new accounts must be done here, not per account.
 */
export const DEFAULT_SCRAM_ITERATIONS: Readonly<Record<ScramMechanism, number>> = Object.freeze({
  'SCRAM-SHA-1': 4096,
  'SCRAM-SHA-256': 4096,
});

/** Salt length for new credentials: 128 bits, as RFC 5802's examples and common practice. */
export const SCRAM_SALT_BYTES = 16;

const DIGEST: Readonly<Record<ScramMechanism, string>> = { 'SCRAM-SHA-1': 'sha1', 'SCRAM-SHA-256': 'sha256' };
const KEY_BYTES: Readonly<Record<ScramMechanism, number>> = { 'SCRAM-SHA-1': 20, 'SCRAM-SHA-256': 32 };

export const keyBytes = (mech: ScramMechanism): number => KEY_BYTES[mech];

export function isScramMechanism(name: string): name is ScramMechanism {
  return Object.hasOwn(DIGEST, name);
}

export function hmac(mech: ScramMechanism, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(DIGEST[mech], key).update(data).digest();
}

export function hash(mech: ScramMechanism, data: Buffer): Buffer {
  return createHash(DIGEST[mech]).update(data).digest();
}

/** StoredKey and ServerKey from SaltedPassword (RFC 5802 §3). */
export function keysOf(mech: ScramMechanism, saltedPassword: Buffer): { storedKey: Buffer; serverKey: Buffer } {
  const clientKey = hmac(mech, saltedPassword, 'Client Key');
  return { storedKey: hash(mech, clientKey), serverKey: hmac(mech, saltedPassword, 'Server Key') };
}

function checkParams(mech: ScramMechanism, iterations: number, salt: Buffer): void {
  if (!isScramMechanism(mech)) throw new RangeError(`unknown SCRAM mechanism ${String(mech)}`);
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError(`SCRAM iterations must be a positive integer, got ${iterations}`);
  if (salt.length === 0) throw new RangeError('SCRAM salt must not be empty');
}

/**
 * Hi() of RFC 5802 §2.2 is PBKDF2 with HMAC-H and one hash-length block. This asynchronous form
 * runs on the libuv pool, so a PLAIN login does not stall the gateway's event loop.
 */
export function saltedPassword(mech: ScramMechanism, prepared: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(prepared, 'utf8'), salt, iterations, KEY_BYTES[mech], DIGEST[mech], (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * Credential to store for `password` (prepared with RFC 8265 OpaqueString first; throws
 * PasswordError if it is not a valid password). Synchronous: meant for registration and
 * password changes, a few milliseconds of PBKDF2.
 */
export function deriveScramCredential(mech: ScramMechanism, password: string, opts: { iterations?: number; salt?: Buffer } = {}): ScramCredential {
  const iterations = opts.iterations ?? DEFAULT_SCRAM_ITERATIONS[mech];
  const salt = Buffer.from(opts.salt ?? randomBytes(SCRAM_SALT_BYTES));
  checkParams(mech, iterations, salt);
  const salted = pbkdf2Sync(Buffer.from(preparePassword(password), 'utf8'), salt, iterations, KEY_BYTES[mech], DIGEST[mech]);
  return { salt, iterations, ...keysOf(mech, salted) };
}

/** Credentials for every SCRAM mechanism, each with its own random salt. */
export function deriveAllCredentials(password: string, iterations?: number): Record<ScramMechanism, ScramCredential> {
  const opts = iterations === undefined ? {} : { iterations };
  return {
    'SCRAM-SHA-256': deriveScramCredential('SCRAM-SHA-256', password, opts),
    'SCRAM-SHA-1': deriveScramCredential('SCRAM-SHA-1', password, opts),
  };
}
