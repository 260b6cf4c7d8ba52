/**
 * XMPP addresses (RFC 7622) with PRECIS enforcement (RFC 8264, RFC 8265), built on Node's own
 * Unicode support. Where the RFCs need Unicode data JS does not expose (Bidi_Class,
 * Joining_Type), the code approximates it and says so where it does.
 */
export { Jid, parseJid, tryParseJid, makeJid } from './jid';
export { JidError, type JidPart } from './error';
export { normalizeLocalpart } from './localpart';
export { normalizeDomainpart } from './domainpart';
export { normalizeResourcepart } from './resourcepart';
export { enforceOpaqueString } from './opaque-string';
