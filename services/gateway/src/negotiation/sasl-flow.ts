import type { Jid } from '@concord/jid';
import { el, type Element } from '@concord/xml';
import { NS, type StreamErrorCondition } from '@concord/xmpp';
import type { AuthExchange, AuthStep } from './auth';
import { echoName } from '../stanzas/inbound';

/** A client may retry authentication this many times on one connection (RFC 6120 §6.4.5). */
const MAX_AUTH_FAILURES = 5;

/** What SASL2 (XEP-0388) asks for inline in <authenticate>, carried to the success. */
export interface Sasl2Request {
  bind?: Element;
  userAgentId?: string;
  resume?: Element;
}

export type SaslSuccess = { jid: Jid; additionalData?: Buffer } & ({ dialect: 'sasl' } | { dialect: 'sasl2'; request: Sasl2Request });

export interface SaslFlowHost {
  send(e: Element): void;
  fail(condition: StreamErrorCondition, text: string): void;
  /** Told of every authentication failure (metrics and the log). */
  failed(condition: string, account: string | undefined): void;
  /** TLS is required and not yet on. */
  mustEncryptFirst(): boolean;
  isClosing(): boolean;
}

/** RFC 6120 SASL and SASL2 differ only in element names and namespaces; the exchange is one. */
interface Dialect {
  ns: string;
  start: string;
  initial(e: Element): string;
  challenge(data: Buffer): Element;
  failure(condition: string, text: string): Element;
}

const SASL: Dialect = {
  ns: NS.sasl,
  start: 'auth',
  initial: (e) => e.text(),
  challenge: (data) => el('challenge', { xmlns: NS.sasl }, data.length ? data.toString('base64') : undefined),
  failure: (condition, text) => el('failure', { xmlns: NS.sasl }, el(condition), el('text', { 'xml:lang': 'en' }, text)),
};

const SASL2: Dialect = {
  ns: NS.sasl2,
  start: 'authenticate',
  initial: (e) => e.getChild('initial-response', NS.sasl2)?.text() ?? '',
  challenge: (data) => el('challenge', { xmlns: NS.sasl2 }, data.toString('base64')),
  failure: (condition, text) => el('failure', { xmlns: NS.sasl2 }, el(condition, { xmlns: NS.sasl }), el('text', {}, text)),
};

/** Decodes SASL payload text: '=' is an empty response (RFC 6120 §6.4.2); anything not base64 is refused. */
export function decodeSaslPayload(text: string): Buffer | undefined {
  const t = text.trim();
  if (t === '' || t === '=') return Buffer.alloc(0);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(t) || t.length % 4 !== 0) return undefined;
  return Buffer.from(t, 'base64');
}

/**
 * The authentication exchange of one connection, in either dialect: challenges, failures (with
 * a limit per connection) and, at the end, the authenticated account.
 */
export class SaslFlow {
  private failures = 0;
  private sasl2Request: Sasl2Request | undefined;

  constructor(private readonly host: SaslFlowHost, private readonly auth: AuthExchange) {}

  /** Handles one element of NS.sasl or NS.sasl2; resolves with the success when authentication completes. */
  async handle(e: Element): Promise<SaslSuccess | undefined> {
    const d = e.attrs['xmlns'] === NS.sasl2 ? SASL2 : SASL;
    let step: AuthStep;
    if (e.name === d.start) {
      if (this.host.mustEncryptFirst()) return this.failure(d, { kind: 'failure', condition: 'encryption-required', text: 'start TLS first' });
      const data = decodeSaslPayload(d.initial(e));
      if (!data) return this.failure(d, { kind: 'failure', condition: 'incorrect-encoding', text: 'not base64' });
      if (d === SASL2) this.sasl2Request = readSasl2Request(e);
      step = await this.auth.begin(e.attrs['mechanism'] ?? '', data.length > 0 ? data : undefined);
    } else if (e.name === 'response') {
      const data = decodeSaslPayload(e.text());
      if (!data) return this.failure(d, { kind: 'failure', condition: 'incorrect-encoding', text: 'not base64' });
      step = await this.auth.step(data);
    } else if (e.name === 'abort') {
      step = this.auth.abort();
    } else {
      this.host.fail('unsupported-stanza-type', `<${echoName(e.name)}> in ${d.ns}`);
      return undefined;
    }
    if (this.host.isClosing()) return undefined;
    if (step.kind === 'challenge') return void this.host.send(d.challenge(step.data));
    if (step.kind === 'failure') return this.failure(d, step);
    const base = { jid: step.jid, ...(step.additionalData ? { additionalData: step.additionalData } : {}) };
    if (d === SASL) return { ...base, dialect: 'sasl' };
    const request = this.sasl2Request ?? {};
    this.sasl2Request = undefined;
    return { ...base, dialect: 'sasl2', request };
  }

  private failure(d: Dialect, step: Extract<AuthStep, { kind: 'failure' }>): undefined {
    this.host.send(d.failure(step.condition, step.text));
    this.host.failed(step.condition, step.account);
    // Many clients do not try again on the same stream after temporary-auth-failure; closed
    // with <reset/>, they reconnect (and resume) with their own backoff, which works once the
    // store answers again, instead of idling until the no-session timeout.
    if (step.storeDown) return void this.host.fail('reset', 'the account store is not reachable; reconnect in a moment');
    if (++this.failures >= MAX_AUTH_FAILURES) this.host.fail('policy-violation', 'too many failed authentication attempts');
    return undefined;
  }
}

function readSasl2Request(e: Element): Sasl2Request {
  const ua = e.getChild('user-agent', NS.sasl2);
  const bind = e.getChild('bind', NS.bind2);
  const resume = e.getChild('resume', NS.sm);
  return { ...(bind ? { bind } : {}), ...(ua?.attrs['id'] ? { userAgentId: ua.attrs['id'] } : {}), ...(resume ? { resume } : {}) };
}
