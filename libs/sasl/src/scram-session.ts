import { randomBytes, timingSafeEqual } from 'node:crypto';
import { decodeUtf8, fakeCredential, lookupCredential, malformed, MAX_MESSAGE_BYTES, notAuthorized } from './common';
import { NONCE, parseClientFinal, parseClientFirst } from './scram-messages';
import { hash, hmac, keyBytes, type ScramCredential, type ScramMechanism } from './scram';
import type { CredentialLookup, SaslSession, SaslSessionOptions, SaslStepResult } from './types';

/** 24 random bytes, 32 base64 characters: the server's share of the nonce (RFC 5802 §5.1). */
const SERVER_NONCE_BYTES = 24;

type Final = {
  phase: 'final';
  gs2Header: string;
  authzid: string | undefined;
  username: string;
  clientFirstBare: string;
  serverFirst: string;
  nonce: string;
  credential: ScramCredential;
  known: boolean;
};
// 'busy' while a step awaits the store: a step arriving meanwhile is out of order.
type State = { phase: 'first'; emptySeen: boolean } | Final | { phase: 'busy' } | { phase: 'done' };

/**
 * Server side of SCRAM-SHA-1 / SCRAM-SHA-256 without channel binding (RFC 5802, RFC 7677).
 * The server only ever holds StoredKey and ServerKey, never the password.
 */
export class ScramSession implements SaslSession {
  private state: State = { phase: 'first', emptySeen: false };
  private user: string | undefined;

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly lookup: CredentialLookup,
    private readonly opts: SaslSessionOptions,
  ) {}

  get authcid(): string | undefined {
    return this.user;
  }

  async step(clientMessage: Buffer): Promise<SaslStepResult> {
    const state = this.state;
    if (state.phase === 'first' && clientMessage.length === 0 && !state.emptySeen) {
      state.emptySeen = true;
      return { kind: 'challenge', data: Buffer.alloc(0) };
    }
    this.state = { phase: 'busy' };
    try {
      if (state.phase === 'busy' || state.phase === 'done') throw malformed('unexpected SCRAM message: the exchange is over or a step is pending');
      if (clientMessage.length > MAX_MESSAGE_BYTES) throw malformed('SCRAM message too long');
      const text = decodeUtf8(clientMessage, 'SCRAM message');
      if (state.phase === 'final') {
        const result = this.final(state, text);
        this.state = { phase: 'done' };
        return result;
      }
      const next = await this.first(text);
      if (this.state.phase !== 'busy') throw malformed('unexpected SCRAM message: a step was pending');
      this.state = next;
      return { kind: 'challenge', data: Buffer.from(next.serverFirst, 'utf8') };
    } catch (e) {
      this.state = { phase: 'done' }; // a failed exchange cannot be resumed
      throw e;
    }
  }

  private async first(text: string): Promise<Final> {
    const m = parseClientFirst(text);
    this.user = m.username;
    const real = await lookupCredential(this.lookup, m.username, this.mechanism);
    // An unknown user gets a plausible salt and the default count, and fails only at the proof,
    // like a wrong password: the first round trip must not reveal whether the account exists.
    const credential = real ?? fakeCredential(this.mechanism, m.username, this.opts.fakeSaltSecret);
    const nonce = m.clientNonce + this.serverNonce();
    return {
      phase: 'final',
      gs2Header: m.gs2Header,
      authzid: m.authzid,
      username: m.username,
      clientFirstBare: m.bare,
      serverFirst: `r=${nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`,
      nonce,
      credential,
      known: real !== undefined,
    };
  }

  private final(s: Final, text: string): SaslStepResult {
    const m = parseClientFinal(text);
    // Without channel binding, c= carries the GS2 header itself (RFC 5802 §7, cbind-input). A
    // mismatch means the header was altered in transit (e.g. a "y" stripped to downgrade).
    if (!m.channelBinding.equals(Buffer.from(s.gs2Header, 'utf8'))) throw notAuthorized('channel binding mismatch');
    if (m.nonce !== s.nonce) throw notAuthorized('nonce mismatch');
    const authMessage = `${s.clientFirstBare},${s.serverFirst},${m.withoutProof}`;
    const { storedKey, serverKey } = s.credential;
    // RFC 5802 §3: ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); accept iff
    // H(ClientKey) = StoredKey. Compared in constant time; the fake credential never passes.
    if (m.proof.length !== keyBytes(this.mechanism)) throw notAuthorized();
    const signature = hmac(this.mechanism, storedKey, authMessage);
    const clientKey = Buffer.alloc(signature.length);
    for (let i = 0; i < signature.length; i++) clientKey[i] = m.proof[i]! ^ signature[i]!;
    const matches = timingSafeEqual(hash(this.mechanism, clientKey), storedKey);
    if (!matches || !s.known) throw notAuthorized();
    const serverSignature = hmac(this.mechanism, serverKey, authMessage);
    return {
      kind: 'success',
      username: s.username,
      ...(s.authzid !== undefined ? { authzid: s.authzid } : {}),
      additionalData: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'),
    };
  }

  private serverNonce(): string {
    if (this.opts.randomNonce === undefined) return randomBytes(SERVER_NONCE_BYTES).toString('base64');
    const n = this.opts.randomNonce();
    if (!NONCE.test(n)) throw new RangeError('randomNonce must return printable ASCII without ","');
    return n;
  }
}
