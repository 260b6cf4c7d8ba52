import type { ScramCredential, ScramMechanism } from './scram';

/**
 * What the mechanisms need from the account store: the credential stored for `username` (the
 * authcid exactly as the client sent it; the lookup normalizes it, e.g. RFC 8265
 * UsernameCaseMapped) and `mech`, or undefined for an unknown account or a missing credential.
 * A SaslError it throws reaches the caller unchanged; any other error becomes
 * temporary-auth-failure. Prefer checking a disabled account after success: refusing it here
 * tells anyone who knows the name that the account exists.
 */
export interface CredentialLookup {
  (username: string, mech: ScramMechanism): Promise<ScramCredential | undefined>;
}

export type SaslStepResult =
  | { kind: 'challenge'; data: Buffer }
  | { kind: 'success'; username: string; authzid?: string; additionalData?: Buffer };

/** One authentication exchange. Byte payloads are the raw (already base64-decoded) SASL messages. */
export interface SaslSession {
  readonly mechanism: string;
  /**
   * The authentication identity once the client has sent it, before it is verified; undefined
   * until then. Lets the caller charge a failure to the account (AuthThrottle).
   */
  readonly authcid: string | undefined;
  /**
   * Processes the next client message. Pass an empty buffer when <auth/> carried no initial
   * response (RFC 6120 §6.4.2): the session answers with an empty challenge, once. Returns a
   * challenge to send, or success with the authenticated username (the localpart as given; the
   * caller normalizes), the authzid if the client asked for one (the caller checks it, RFC 6120
   * §6.3.8), and additional data for <success/> (the SCRAM server-final message).
   * Throws SaslError on failure; the session is then finished.
   */
  step(clientMessage: Buffer): Promise<SaslStepResult>;
}

export interface SaslSessionOptions {
  /** Whether PLAIN may be used on this stream (typically: TLS is up and policy allows it). */
  plainAllowed: boolean;
  /** PLAIN is always verified against the stored SCRAM keys; there is no hook. */
  verifyPlain?: never;
  /**
   * Key for the fake salts given to unknown users. Defaults to a random per-process secret; give
   * every gateway the same value, or an attacker can ask two instances (or one, across a restart)
   * and see that an unknown user's salt changes while a real user's does not.
   */
  fakeSaltSecret?: Buffer;
  /** Tests only: the server's part of the SCRAM nonce, to replay the RFC examples. */
  randomNonce?: () => string;
}
