import { mergeSpecs, readConfig, type ConfigOf, type Env } from '@concord/config';
import { DEFAULT_BUS_SETTINGS } from '@concord/bus';
import { commonSpec, httpPortVar } from '@concord/runtime';

/** The largest client limits an operator can configure. */
const MAX_STANZA_BYTES_BOUND = 16_777_216;
const MAX_DEPTH_BOUND = 256;

/**
 * Limits for XML the gateway reads from its own services (archive answers, live deliveries,
 * roster and push answers, saved streams). Client limits apply where a client's bytes enter;
 * the server's own answers wrap what a client was allowed to send (a MAM result or a carbon adds
 * three levels) and may hold what was accepted before the limits were lowered, so one stored
 * message can never make an answer unreadable. Bus messages are bounded by NATS anyway.
 */
export const INTERNAL_XML_LIMITS = Object.freeze({ maxStanzaBytes: 4 * MAX_STANZA_BYTES_BOUND, maxDepth: MAX_DEPTH_BOUND + 16 });

const port = (env: string, def: number, doc: string) => ({ env, type: 'int', default: def, min: 0, max: 65535, doc } as const);

export const gatewaySpec = mergeSpecs(commonSpec, {
  httpPort: httpPortVar('gateway'),
  bindHost: { env: 'CONCORD_GATEWAY_HOST', type: 'string', default: '127.0.0.1', doc: 'Address the XMPP listeners bind to' },
  tcpPort: port('CONCORD_GATEWAY_TCP_PORT', 5222, 'XMPP client port with STARTTLS (0: any free port)'),
  tlsPort: port('CONCORD_GATEWAY_TLS_PORT', 5223, 'XMPP client port with direct TLS, XEP-0368 (0: any free port)'),
  wsPort: port('CONCORD_GATEWAY_WS_PORT', 5280, 'WebSocket port (RFC 7395), path /xmpp-websocket (0: any free port)'),
  wsSecure: {
    env: 'CONCORD_GATEWAY_WS_SECURE', type: 'bool', default: true,
    doc: 'Treat WebSocket connections as encrypted (TLS terminated by the proxy in front); false requires TLS-less auth rules to allow them',
  },
  tlsCertFile: { env: 'CONCORD_TLS_CERT_FILE', type: 'string', default: '', doc: 'PEM certificate chain for TLS (empty: a self-signed certificate for the domain is made at start)' },
  tlsKeyFile: { env: 'CONCORD_TLS_KEY_FILE', type: 'string', default: '', doc: 'PEM private key for TLS' },
  tlsRequired: { env: 'CONCORD_GATEWAY_TLS_REQUIRED', type: 'bool', default: true, doc: 'Require STARTTLS on the plain TCP port before authentication' },
  plainWithoutTls: {
    env: 'CONCORD_GATEWAY_PLAIN_WITHOUT_TLS', type: 'bool', default: false,
    doc: 'Offer SASL PLAIN on unencrypted connections (benchmarks and local tools only; implies TLS not required)',
  },
  maxStanzaBytes: { env: 'CONCORD_GATEWAY_MAX_STANZA_BYTES', type: 'int', default: 262_144, min: 1_024, max: MAX_STANZA_BYTES_BOUND, doc: 'Largest stanza accepted; larger ones close the stream with policy-violation' },
  maxDepth: { env: 'CONCORD_GATEWAY_MAX_DEPTH', type: 'int', default: 32, min: 4, max: MAX_DEPTH_BOUND, doc: 'Deepest element nesting accepted from clients' },
  stanzaRate: { env: 'CONCORD_GATEWAY_STANZAS_PER_SECOND', type: 'int', default: 50, min: 1, doc: 'Sustained stanzas per second per connection (bursts of 4x allowed); excess is read later, not dropped' },
  byteRate: { env: 'CONCORD_GATEWAY_BYTES_PER_SECOND', type: 'int', default: 262_144, min: 1_024, doc: 'Sustained bytes per second per connection (bursts of 4x allowed)' },
  maxConnectionsPerIp: { env: 'CONCORD_GATEWAY_MAX_CONNECTIONS_PER_IP', type: 'int', default: 1_000, min: 1, doc: 'Open connections allowed from one IP address' },
  preAuthTimeout: { env: 'CONCORD_GATEWAY_PREAUTH_TIMEOUT', type: 'duration', default: 30_000, minMs: 1_000, doc: 'Time allowed from connect to a bound session' },
  idleTimeout: { env: 'CONCORD_GATEWAY_IDLE_TIMEOUT', type: 'duration', default: 600_000, minMs: 5_000, doc: 'A session with no traffic for this long is pinged, then closed' },
  authMaxFailuresPerIp: { env: 'CONCORD_GATEWAY_AUTH_FAILURES_PER_IP', type: 'int', default: 20, min: 1, doc: 'Failed authentications per IP per window before further attempts are refused' },
  authMaxFailuresPerAccount: { env: 'CONCORD_GATEWAY_AUTH_FAILURES_PER_ACCOUNT', type: 'int', default: 10, min: 1, doc: 'Failed authentications per account from one address per window (from many addresses: ten times as many, then only addresses the account never logged in from wait)' },
  authFailureWindow: { env: 'CONCORD_GATEWAY_AUTH_FAILURE_WINDOW', type: 'duration', default: 300_000, minMs: 1_000, doc: 'Window of the authentication failure limits' },
  smResumeTimeout: {
    env: 'CONCORD_GATEWAY_SM_RESUME_TIMEOUT', type: 'duration', default: 300_000, minMs: 1_000, maxMs: DEFAULT_BUS_SETTINGS.smStateTtlMs,
    // A stream's record is not rewritten while it waits: it must outlive the wait in JetStream KV.
    doc: 'How long a broken stream can be resumed (XEP-0198); at most the lifetime of the streams\' records in JetStream KV (10 minutes)',
  },
  maxOutboundBytes: {
    env: 'CONCORD_GATEWAY_MAX_OUTBOUND_BYTES', type: 'int', default: 16_777_216, min: 65_536,
    doc: 'Bytes written to a connection and not yet taken by the client that may wait longer than CONCORD_GATEWAY_SLOW_READER_TIMEOUT (four times as many, not at all); beyond, the stream ends with resource-constraint (a Stream Management session stays resumable)',
  },
  slowReaderTimeout: {
    env: 'CONCORD_GATEWAY_SLOW_READER_TIMEOUT', type: 'duration', default: 30_000, minMs: 1_000,
    doc: 'How long more than CONCORD_GATEWAY_MAX_OUTBOUND_BYTES may wait for a client to take it',
  },
  smMaxQueue: { env: 'CONCORD_GATEWAY_SM_MAX_QUEUE', type: 'int', default: 1_000, min: 10, doc: 'Unacknowledged outbound stanzas kept per stream; beyond it the stream is closed' },
  smMaxQueueBytes: {
    env: 'CONCORD_GATEWAY_SM_MAX_QUEUE_BYTES', type: 'int', default: 8_388_608, min: 1_048_576,
    doc: 'Bytes of unacknowledged outbound stanzas kept per stream (connected or waiting to be resumed); beyond it the stream is closed as with CONCORD_GATEWAY_SM_MAX_QUEUE',
  },
  catchupMax: { env: 'CONCORD_GATEWAY_CATCHUP_MAX', type: 'int', default: 1_000, min: 1, max: 100_000, doc: 'Most messages a Bind2 catch-up sends inline (the newest ones, marked incomplete when there are more); a client asks for up to this many, 250 when it names no max' },
  ackHoldMax: { env: 'CONCORD_GATEWAY_ACK_HOLD_MAX', type: 'duration', default: 15_000, minMs: 100, doc: 'Longest an <r/> answer waits for pending stanzas to be archived before answering with what is done' },
  registration: { env: 'CONCORD_GATEWAY_REGISTRATION', type: 'bool', default: false, doc: 'Allow XEP-0077 in-band registration of new accounts' },
  admins: { env: 'CONCORD_ADMINS', type: 'list', default: [], doc: 'Bare JIDs allowed to run XEP-0133 admin commands' },
});

export type GatewayConfig = ConfigOf<typeof gatewaySpec>;

export function readGatewayConfig(env: Env): GatewayConfig {
  return readConfig(gatewaySpec, env);
}
