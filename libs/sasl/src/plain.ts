import { timingSafeEqual } from 'node:crypto';
import { decodeUtf8, fakeCredential, lookupCredential, malformed, MAX_MESSAGE_BYTES, notAuthorized } from './common';
import { preparePassword } from './prep';
import { keysOf, saltedPassword, type ScramCredential, type ScramMechanism } from './scram';
import type { CredentialLookup, SaslSession, SaslSessionOptions, SaslStepResult } from './types';

/**
 * PLAIN (RFC 4616): one message, authzid NUL authcid NUL passwd. Only ever offered over TLS. The
 * password is checked against the stored SCRAM keys: Hi() with the stored salt and count, then
 * H(HMAC(SaltedPassword, "Client Key")) must equal StoredKey; no other password form is kept.
 */
export class PlainSession implements SaslSession {
  readonly mechanism = 'PLAIN';
  private phase: 'first' | 'empty-seen' | 'done' = 'first';
  private user: string | undefined;

  constructor(
    private readonly lookup: CredentialLookup,
    private readonly opts: SaslSessionOptions,
  ) {}

  get authcid(): string | undefined {
    return this.user;
  }

  async step(clientMessage: Buffer): Promise<SaslStepResult> {
    if (this.phase === 'first' && clientMessage.length === 0) {
      this.phase = 'empty-seen'; // no initial response: RFC 6120 §6.4.2 empty challenge, once
      return { kind: 'challenge', data: Buffer.alloc(0) };
    }
    if (this.phase === 'done') throw malformed('unexpected PLAIN message: the exchange is over');
    this.phase = 'done';
    const { authzid, authcid, passwd } = parse(clientMessage);
    this.user = authcid;
    let prepared: string;
    try {
      prepared = preparePassword(passwd);
    } catch {
      // RFC 4616 §4: if preparation fails, verification fails. Says nothing about the account.
      throw notAuthorized();
    }
    // Both lookups, always: the same store traffic whether or not the account exists (the lookup
    // should answer both from one account read).
    const [sha256, sha1] = await Promise.all([
      lookupCredential(this.lookup, authcid, 'SCRAM-SHA-256'),
      lookupCredential(this.lookup, authcid, 'SCRAM-SHA-1'),
    ]);
    const credential = sha256 ?? sha1;
    const mech: ScramMechanism = sha256 === undefined && sha1 !== undefined ? 'SCRAM-SHA-1' : 'SCRAM-SHA-256';
    // An unknown user costs the same PBKDF2 as a real one, so timing does not reveal existence.
    const ok = await verify(mech, prepared, credential ?? fakeCredential(mech, authcid, this.opts.fakeSaltSecret));
    if (!ok || credential === undefined) throw notAuthorized();
    return { kind: 'success', username: authcid, ...(authzid !== undefined ? { authzid } : {}) };
  }
}

async function verify(mech: ScramMechanism, prepared: string, c: ScramCredential): Promise<boolean> {
  const { storedKey } = keysOf(mech, await saltedPassword(mech, prepared, c.salt, c.iterations));
  return timingSafeEqual(storedKey, c.storedKey);
}

/**
 * message = [authzid] NUL authcid NUL passwd, each 1*SAFE (any UTF-8 but NUL). Empty authcid or
 * passwd breaks that grammar, so it is malformed-request rather than not-authorized; an empty
 * authzid means none.
 */
function parse(bytes: Buffer): { authzid: string | undefined; authcid: string; passwd: string } {
  if (bytes.length > MAX_MESSAGE_BYTES) throw malformed('PLAIN message too long');
  const first = bytes.indexOf(0);
  const second = first < 0 ? -1 : bytes.indexOf(0, first + 1);
  if (second < 0 || bytes.indexOf(0, second + 1) >= 0) throw malformed('PLAIN message must have exactly two NUL separators');
  const authzid = decodeUtf8(bytes.subarray(0, first), 'PLAIN authzid');
  const authcid = decodeUtf8(bytes.subarray(first + 1, second), 'PLAIN authcid');
  const passwd = decodeUtf8(bytes.subarray(second + 1), 'PLAIN password');
  if (authcid === '') throw malformed('PLAIN authcid is empty');
  if (passwd === '') throw malformed('PLAIN password is empty');
  return { authzid: authzid === '' ? undefined : authzid, authcid, passwd };
}
