/**
 * Server side of SASL for XMPP (RFC 6120 §6; SASL2, XEP-0388, reuses the same exchanges):
 * SCRAM-SHA-256 and SCRAM-SHA-1 (RFC 5802, RFC 7677) without channel binding, PLAIN (RFC 4616)
 * checked against the stored SCRAM keys, OpaqueString password preparation (RFC 8265), and an
 * in-memory failure throttle. Transport, base64 and JID handling stay with the caller.
 */
export { SaslError, PasswordError, type SaslFailureCondition } from './errors';
export { preparePassword } from './prep';
export {
  deriveScramCredential,
  deriveAllCredentials,
  DEFAULT_SCRAM_ITERATIONS,
  SCRAM_SALT_BYTES,
  SCRAM_MECHANISMS,
  type ScramCredential,
  type ScramMechanism,
} from './scram';
export type { CredentialLookup, SaslSession, SaslSessionOptions, SaslStepResult } from './types';
export { createSaslSession, SUPPORTED_MECHANISMS } from './session';
export { AuthThrottle, DEFAULT_MAX_TRACKED_KEYS, type AuthThrottleOptions, type ThrottleDecision, type ThrottleLimit } from './throttle';
export { throttleKeyForIp } from './ip-key';
