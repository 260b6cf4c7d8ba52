import { makeJid, normalizeLocalpart, type Jid } from '@concord/jid';
import { createSaslSession, SaslError, type AuthThrottle, type SaslFailureCondition, type SaslSession, type ScramMechanism } from '@concord/sasl';
import type { AccountStore } from '@concord/storage';

export type AuthStep =
  | { kind: 'challenge'; data: Buffer }
  | { kind: 'success'; jid: Jid; additionalData?: Buffer }
  /**
   * `storeDown`: the account store did not answer; nothing the client did was wrong. `account`:
   * the bare JID the client tried to log into, when it got that far (for the log; never a password).
   */
  | { kind: 'failure'; condition: SaslFailureCondition; text: string; storeDown?: true; account?: string };

export interface AuthDeps {
  accounts: AccountStore;
  throttle: AuthThrottle;
  domain: string;
  remoteIp: string;
  /** PLAIN is offered only over TLS, or when configuration allows it without (asked at each attempt: STARTTLS changes it). */
  plainAllowed(): boolean;
}

const SCRAM: readonly string[] = ['SCRAM-SHA-256', 'SCRAM-SHA-1'];

/**
 * One SASL exchange, shared by RFC 6120 SASL and SASL2 (XEP-0388): the mechanism runs in
 * @concord/sasl; this adds the account store, the failure throttle and the authzid check.
 */
export class AuthExchange {
  private session: SaslSession | undefined;
  private attemptedAccount: string | undefined;

  constructor(private readonly deps: AuthDeps) {}

  static mechanisms(plainAllowed: boolean): string[] {
    return plainAllowed ? [...SCRAM, 'PLAIN'] : [...SCRAM];
  }

  get inProgress(): boolean {
    return this.session !== undefined;
  }

  async begin(mechanism: string, initial: Buffer | undefined): Promise<AuthStep> {
    const gate = this.deps.throttle.check(this.deps.remoteIp);
    if (!gate.allowed) {
      return { kind: 'failure', condition: 'temporary-auth-failure', text: `too many failed attempts; retry in ${Math.ceil(gate.retryAfterMs / 1000)}s` };
    }
    const plainAllowed = this.deps.plainAllowed();
    if (!AuthExchange.mechanisms(plainAllowed).includes(mechanism)) {
      const condition = mechanism === 'PLAIN' ? 'encryption-required' : 'invalid-mechanism';
      return { kind: 'failure', condition, text: mechanism === 'PLAIN' ? 'PLAIN needs TLS' : `mechanism ${mechanism} is not offered` };
    }
    this.session = createSaslSession(mechanism, (username, mech) => this.lookup(username, mech), { plainAllowed });
    // SCRAM's first message is required; an empty initial response means "wait for a challenge".
    if (!initial || initial.length === 0) return { kind: 'challenge', data: Buffer.alloc(0) };
    return this.step(initial);
  }

  async step(data: Buffer): Promise<AuthStep> {
    if (!this.session) return { kind: 'failure', condition: 'malformed-request', text: 'no authentication in progress' };
    try {
      const r = await this.session.step(data);
      if (r.kind === 'challenge') return r;
      this.session = undefined;
      return this.succeed(r.username, r.authzid, r.additionalData);
    } catch (err) {
      this.session = undefined;
      if (!(err instanceof SaslError)) throw err;
      // A database outage is not the client's failure and must not lock anyone out.
      if (err.condition !== 'temporary-auth-failure') this.deps.throttle.failure(this.deps.remoteIp, this.attemptedAccount);
      // Only a lookup that threw carries a cause: the store, not the throttle or the credential.
      const storeDown = err.condition === 'temporary-auth-failure' && err.cause !== undefined;
      return {
        kind: 'failure', condition: err.condition, text: err.message || err.condition,
        ...(storeDown ? { storeDown: true as const } : {}), ...(this.attemptedAccount ? { account: this.attemptedAccount } : {}),
      };
    }
  }

  abort(): AuthStep {
    this.session = undefined;
    return { kind: 'failure', condition: 'aborted', text: 'aborted by the client' };
  }

  private async lookup(username: string, mech: ScramMechanism) {
    let local: string;
    try {
      local = normalizeLocalpart(username);
    } catch {
      return undefined;
    }
    const bare = `${local}@${this.deps.domain}`;
    this.attemptedAccount = bare;
    const gate = this.deps.throttle.check(this.deps.remoteIp, bare);
    if (!gate.allowed) throw new SaslError('temporary-auth-failure', `too many failed attempts for this account from here; retry in ${Math.ceil(gate.retryAfterMs / 1000)}s`);
    const account = await this.deps.accounts.get(bare);
    if (!account || account.disabled) return undefined;
    return account.credentials[mech];
  }

  private succeed(username: string, authzid: string | undefined, additionalData: Buffer | undefined): AuthStep {
    const jid = makeJid(normalizeLocalpart(username), this.deps.domain);
    if (authzid && authzid !== jid.toString()) {
      this.deps.throttle.failure(this.deps.remoteIp, jid.toString());
      return { kind: 'failure', condition: 'invalid-authzid', text: 'authorization identity must be your own bare JID', account: jid.toString() };
    }
    this.deps.throttle.success(this.deps.remoteIp, jid.toString());
    return { kind: 'success', jid, ...(additionalData ? { additionalData } : {}) };
  }
}
