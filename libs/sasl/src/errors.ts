/**
 * The failure conditions of RFC 6120 §6.5. SASL2 (XEP-0388 §2.7) reuses them inside its own
 * <failure/>, so one type serves both.
 */
export type SaslFailureCondition =
  | 'aborted'
  | 'account-disabled'
  | 'credentials-expired'
  | 'encryption-required'
  | 'incorrect-encoding'
  | 'invalid-authzid'
  | 'invalid-mechanism'
  | 'malformed-request'
  | 'mechanism-too-weak'
  | 'not-authorized'
  | 'temporary-auth-failure';

/**
 * An exchange failed; `condition` is the element the caller sends. Messages carry neither the
 * password nor the account name, so they are safe to log and to return as <text/>.
 */
export class SaslError extends Error {
  readonly code = 'SASL_FAILURE';
  constructor(
    readonly condition: SaslFailureCondition,
    message?: string,
    options?: ErrorOptions,
  ) {
    super(message ?? condition, options);
    this.name = 'SaslError';
  }
}

/**
 * A password that the RFC 8265 OpaqueString profile rejects. Raised where passwords are set
 * (registration, password change): it is the user's input that is wrong, not a SASL exchange.
 * During PLAIN it becomes not-authorized (RFC 4616 §4: failed preparation fails verification).
 */
export class PasswordError extends Error {
  readonly code = 'PASSWORD_INVALID';
  constructor(
    readonly problem: 'empty' | 'disallowed-code-point',
    message: string,
  ) {
    super(message);
    this.name = 'PasswordError';
  }
}
