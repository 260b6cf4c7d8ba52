import { SaslError } from './errors';
import { PlainSession } from './plain';
import { isScramMechanism } from './scram';
import { ScramSession } from './scram-session';
import type { CredentialLookup, SaslSession, SaslSessionOptions } from './types';

/**
 * Mechanisms we implement, strongest first: the order to advertise in <mechanisms/> (RFC 6120
 * §6.4.1). Filter out PLAIN where it is not allowed; never offer a mechanism createSaslSession
 * would refuse. No -PLUS variants: channel binding is not implemented.
 */
export const SUPPORTED_MECHANISMS: readonly string[] = Object.freeze(['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN']);

/**
 * Starts an exchange for the mechanism the client chose (names compare exactly; RFC 4422 §3.1
 * makes them upper-case). Throws SaslError('invalid-mechanism') for a name we do not implement,
 * and also for PLAIN when `plainAllowed` is false: that flag does not say why PLAIN is off (no TLS
 * yet, or disabled by policy), and the mechanism was not offered on this stream either way, which
 * is what invalid-mechanism means (RFC 6120 §6.5.6). A caller that knows the stream is not
 * encrypted may answer 'encryption-required' (§6.5.4) itself before calling this.
 */
export function createSaslSession(mechanism: string, lookup: CredentialLookup, opts: SaslSessionOptions): SaslSession {
  if (isScramMechanism(mechanism)) return new ScramSession(mechanism, lookup, opts);
  if (mechanism === 'PLAIN') {
    if (!opts.plainAllowed) throw new SaslError('invalid-mechanism', 'PLAIN is not offered on this stream');
    return new PlainSession(lookup, opts);
  }
  throw new SaslError('invalid-mechanism', 'unsupported SASL mechanism');
}
