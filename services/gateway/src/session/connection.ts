import { backoffMs, sleep, type Backoff } from '@concord/bus';
import { SESSION_END_SEQ } from '@concord/events';
import { JidError, normalizeResourcepart, tryParseJid, type Jid } from '@concord/jid';
import { el, parseElement, serialize, type Element } from '@concord/xml';
import { NS, errorReply, streamError, type StreamErrorCondition } from '@concord/xmpp';
import { context as otContext, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { secondsSince, startTimer } from '@concord/telemetry';
import { INTERNAL_XML_LIMITS } from '../config';
import { TokenBucket } from '../limits/token-bucket';
import { stanzaIdAttributes } from '../metrics';
import { AuthExchange } from '../negotiation/auth';
import { SaslFlow, type Sasl2Request } from '../negotiation/sasl-flow';
import { runCatchup } from './catchup';
import { LegacyMarkTracker, deliveredArchiveId, isLegacyBound } from './legacy-marks';
import { ReplayAbandoned, isInitialPresence, legacyReplay } from './legacy-replay';
import { bind2Resource, randomResource, readBind2 } from '../negotiation/bind2';
import { streamFeatures } from '../negotiation/features';
import { registerBeforeAuth } from '../negotiation/registration';
import type { HandlerSession, LocalHandler } from '../handlers';
import { StreamManagement } from '../sm/stream-management';
import { SmJournal } from '../sm/sm-journal';
import { Form, rebuild, referenceOf, replayStart, resendPlan, type Reference, type ReplayStart } from '../sm/sm-record';
import { fetchArchived, replayMissed } from '../sm/resume-archive';
import type { SmStateRecord } from '../sm/sm-store';
import { CsiGate } from '../csi/csi-gate';
import { SessionPresence } from '../presence/session-presence';
import { checkInbound, classifyChecked, echoName, stanzaKind, type InboundVerdict } from '../stanzas/inbound';
import type { Transport } from '../transport/transport';
import type { BoundSession, ConnectionDeps, Gate, Hibernated } from './connection-deps';
import { RecentIds } from './recent-ids';

const tracer = trace.getTracer('@concord/gateway');

/** How long after a catch-up a live copy of a replayed message can still arrive (router → gateway latency, generously). */
const REPLAYED_MEMORY_MS = 60_000;

const SM_REQUEST_EVERY = 5;
/** Bytes waiting for a client beyond this many times CONCORD_GATEWAY_MAX_OUTBOUND_BYTES end its stream at once. */
const OUTBOUND_HARD_FACTOR = 4;

/** Live copies remembered per session to drop a second one (see RecentIds): a router's restart fits in this. */
const RECENT_IDS = { max: 512, ttlMs: 300_000 };

/** A legacy replay waiting for the archive asks again this often (doubling up to the max). */
const REPLAY_RETRY: Backoff = { firstMs: 250, maxMs: 2_000 };

/** Waits between the five attempts to hand a stanza to the bus. */
const PUBLISH_RETRY: Backoff = { firstMs: 200, maxMs: 1_600 };

/** Longest a graceful shutdown waits for a stream's record to be written (NATS may be unreachable). */
const SHUTDOWN_SETTLE_MS = 5_000;

/**
 * One client connection: stream negotiation (STARTTLS, SASL or SASL2 + Bind2, RFC 6120 bind),
 * then the bound session's stanzas. It decides nothing about routing: accepted stanzas are
 * handed to the inbound sink, and their outcomes come back to advance Stream Management.
 */
export class Connection implements BoundSession, HandlerSession {
  streamId = '';
  private account: Jid | undefined;
  private bound: Jid | undefined;
  private clientId = '';
  private imNg = false;
  private sm: StreamManagement | undefined;
  /** A resumable stream's record, written ahead of its socket (sm-journal.ts). */
  private journal: SmJournal | undefined;
  private boundAtMs = 0;
  /** XEP-0352: non-urgent stanzas wait while the client says it is inactive. */
  private readonly csi = new CsiGate({ write: (s) => this.write(s), changed: () => void this.deps.sessions.bind(this) });
  private readonly presence = new SessionPresence();
  private closing = false;
  /** The connection is gone and the stream hibernates for resumption: push wakes the device. */
  private detached = false;
  /** The device has an enabled XEP-0357 registration, as the push service last said. */
  pushEnabled = false;
  /** XEP-0280: the session asked for carbon copies (the router sends them to legacy sessions). */
  private carbons = false;
  /** An RFC 6120 session's record of what it received, for its replay (DESIGN §3.5). */
  private legacy: LegacyMarkTracker | undefined;
  /** The session is over for good (not hibernating for resumption). */
  private ended = false;
  private seq = 0;
  private readonly smCounterOf = new Map<number, { n: number; epoch: number }>();
  /** Open span of each inbound stanza until its outcome is final. */
  private readonly spans = new Map<number, Span>();
  /** When each inbound stanza was accepted, for the ack latency histogram. */
  private readonly acceptedAt = new Map<number, { stanza: string; at: bigint }>();
  private publishChain: Promise<void> = Promise.resolve();
  /** Resolves when the session registry has this session (the last bind). */
  private registered: Promise<void> = Promise.resolve();
  private readonly sasl: SaslFlow;
  /** Live stanzas held during a Bind2 catch-up or a legacy replay. */
  private liveBuffer: Element[] | undefined;
  /**
   * A legacy replay holds only live archived messages (the ones it may bring too, and must come
   * after): it can wait for an archive that is down, and pings, IQ answers and presence must not.
   */
  private holdArchivedOnly = false;
  /** Archive IDs sent in the catch-up, so that late live copies of them are dropped. */
  private replayed: Set<string> | undefined;
  /** Archive IDs given live, so that a second copy is dropped (made at the first one). */
  private recent: RecentIds | undefined;
  /** Deliveries may have been lost from then on while a catch-up or replay ran: replayed after it. */
  private missedSince: { since: Date; gate: Gate } | undefined;
  private preAuthTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private slowReaderTimer: NodeJS.Timeout | undefined;
  private idleBytes = -1;
  private idlePinged = false;
  private readonly stanzaBucket: TokenBucket;
  private readonly byteBucket: TokenBucket;
  private lastBytes = 0;
  private paused = false;

  constructor(private readonly transport: Transport, private readonly deps: ConnectionDeps) {
    const c = deps.config;
    deps.metrics.connections.add(1, { transport: transport.kind });
    const auth = new AuthExchange({
      accounts: deps.accounts, throttle: deps.throttle, domain: c.domain, remoteIp: transport.remoteAddress,
      plainAllowed: () => transport.secure || c.plainWithoutTls,
    });
    this.sasl = new SaslFlow({
      send: (e) => this.transport.send(e),
      fail: (condition, text) => this.fail(condition, text),
      failed: (condition, account) => {
        this.deps.metrics.authFailures.add(1, { condition });
        this.log.info({ ip: transport.remoteAddress, account, condition, stream: this.streamId }, 'authentication failed');
      },
      mustEncryptFirst: () => this.mustEncryptFirst(),
      isClosing: () => this.closing,
    }, auth);
    this.stanzaBucket = new TokenBucket(c.stanzaRate, c.stanzaRate * 4);
    this.byteBucket = new TokenBucket(c.byteRate, c.byteRate * 4);
    transport.attach({
      streamOpen: (attrs) => this.onStreamOpen(attrs),
      element: (e) => this.onElement(e),
      streamClose: () => this.close(),
      xmlError: (condition, text) => this.fail(condition as StreamErrorCondition, text),
      disconnected: () => this.onDisconnected(),
    });
    this.preAuthTimer = setTimeout(() => this.fail('connection-timeout', 'no session established in time'), c.preAuthTimeout);
    this.preAuthTimer.unref();
  }

  get jid(): Jid {
    if (!this.bound) throw new Error('not bound');
    return this.bound;
  }

  get info() {
    return { imNg: this.imNg, clientId: this.clientId, csiInactive: this.csi.inactive, pushEnabled: this.pushEnabled, detached: this.detached, carbons: this.carbons };
  }

  private get log() {
    return this.deps.log;
  }

  // ---- stream level ------------------------------------------------------------------------

  private onStreamOpen(attrs: Record<string, string>): void {
    const { domain } = this.deps.config;
    this.streamId = this.deps.newId();
    this.transport.openStream({ from: domain, id: this.streamId, lang: 'en', ...(this.bound ? { to: this.bound.toString() } : {}) });
    if (attrs['to'] !== undefined && attrs['to'].toLowerCase() !== domain) return this.fail('host-unknown', `this server serves ${domain}`);
    if (this.transport.kind !== 'websocket' && attrs['xmlns'] !== NS.client) return this.fail('invalid-namespace', 'the content namespace must be jabber:client');
    if (attrs['version'] !== undefined && !/^1\.\d+$/.test(attrs['version'])) return this.fail('unsupported-version', 'XMPP 1.x only');
    this.transport.send(this.features());
  }

  private features(): Element {
    const c = this.deps.config;
    return streamFeatures({
      secure: this.transport.secure,
      canStartTls: this.transport.canStartTls,
      tlsRequired: c.tlsRequired && !c.plainWithoutTls,
      plainAllowed: this.transport.secure || c.plainWithoutTls,
      authenticated: this.account !== undefined,
      registration: c.registration,
    });
  }

  /** Ends the stream with a stream error (RFC 6120 §4.9). */
  fail(condition: StreamErrorCondition, text?: string): void {
    if (this.closing) return;
    this.log.debug({ condition, text, stream: this.streamId }, 'stream error');
    this.deps.metrics.streamErrors.add(1, { condition });
    if (!this.streamId) {
      this.streamId = this.deps.newId();
      this.transport.openStream({ from: this.deps.config.domain, id: this.streamId, lang: 'en' });
    }
    this.closing = true;
    this.transport.closeStream(streamError(condition, text));
  }

  /** A clean close: by the client (</stream:stream>) or by us. Ends the session for good. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.legacy?.closedCleanly();
    this.endSession();
    this.transport.closeStream();
  }

  terminate(condition: 'conflict' | 'system-shutdown' | 'policy-violation', text?: string): void {
    if (condition === 'conflict') this.endSession();
    this.fail(condition, text);
  }

  private onDisconnected(): void {
    this.deps.metrics.connections.add(-1, { transport: this.transport.kind });
    clearTimeout(this.preAuthTimer);
    clearTimeout(this.slowReaderTimer);
    clearTimeout(this.idleTimer);
    this.closing = true;
    if (this.bound && this.sm?.resumable && this.journal && !this.ended) {
      this.detached = true;
      this.csi.flush();
      const journal = this.journal;
      this.deps.sessions.hibernate(this.sm.id, {
        sm: this.sm, journal, jid: this.bound, clientId: this.clientId, imNg: this.imNg, carbons: this.carbons, boundAtMs: this.boundAtMs, recent: this.recent,
      }, this, this.deps.config.smResumeTimeout, () => void journal.end(true));
      // What CSI held is now counted (queued for resumption): the record says so.
      journal.touch();
      return;
    }
    this.endSession();
  }

  /** The record as the journal writes it: everything a resumption anywhere needs. */
  private smRecord(): SmStateRecord {
    return {
      fullJid: this.jid.toString(), clientId: this.clientId, imNg: this.imNg, carbons: this.carbons, ...this.sm!.snapshot(),
      unacked: [], savedAtMs: Date.now(), boundAtMs: this.boundAtMs,
    };
  }

  async suspend(): Promise<void> {
    this.csi.flush();
    // The record is current once what was handed to the journal is written.
    await this.journal?.settle(SHUTDOWN_SETTLE_MS);
    // A stream kept for resumption may go on elsewhere: if it never does, the presence service finds it gone.
    this.endSession({ announce: !this.sm?.resumable, keepRecord: true });
    this.fail('system-shutdown', 'the server is restarting; resume the stream or reconnect');
  }

  /**
   * The session is over here. Its record is deleted (a session ended normally cannot be resumed)
   * unless `keepRecord` (a shutdown: it may be resumed elsewhere); a stream that `moved` to another
   * gateway leaves the registry entry, now that gateway's, alone.
   */
  private endSession(opts: { announce?: boolean; keepRecord?: boolean; moved?: boolean } = {}): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    for (const span of this.spans.values()) span.end();
    this.spans.clear();
    this.acceptedAt.clear();
    this.sm?.dispose();
    if (this.journal && !opts.moved) void this.journal.end(!opts.keepRecord);
    const end = (opts.announce ?? true) && this.bound ? this.presence.endOf(this.bound) : undefined;
    if (end) this.publishChain = this.publishChain.then(() => this.publish(end, SESSION_END_SEQ));
    if (this.bound && opts.moved) this.deps.sessions.release(this);
    else if (this.bound) this.deps.sessions.unbind(this);
  }

  async stillOwned(): Promise<boolean> {
    if (!this.journal || await this.journal.owned()) return true;
    if (!this.ended) this.streamMoved();
    return false;
  }

  /** Another gateway (or connection) resumed this stream: it is no longer this connection's. */
  private streamMoved(): void {
    this.log.info({ jid: this.bound?.toString(), stream: this.streamId }, 'stream resumed elsewhere');
    this.endSession({ announce: false, moved: true });
    this.fail('conflict', 'the stream was resumed elsewhere');
  }

  // ---- dispatch ----------------------------------------------------------------------------

  private onElement(e: Element): void {
    if (this.closing) return;
    this.throttleReading(e);
    const ns = e.attrs['xmlns'];
    if (!this.account) return this.preAuth(e, ns);
    if (!this.bound) return this.preBind(e, ns);
    if (ns === NS.sm) return this.smElement(e);
    if (ns === NS.csi && (e.name === 'active' || e.name === 'inactive')) return this.csi.nonza(e.name);
    this.stanza(e);
  }

  private throttleReading(e: Element): void {
    const bytes = this.transport.bytesIn - this.lastBytes;
    this.lastBytes = this.transport.bytesIn;
    const wait = Math.max(this.byteBucket.take(bytes), e.attrs['xmlns'] === NS.client ? this.stanzaBucket.take(1) : 0);
    if (wait > 0 && !this.paused) {
      this.paused = true;
      this.transport.pause();
      setTimeout(() => {
        this.paused = false;
        this.transport.resume();
      }, wait).unref();
    }
  }

  private preAuth(e: Element, ns: string | undefined): void {
    if (ns === NS.tls && e.name === 'starttls') return void this.startTls();
    if (ns === NS.sasl || ns === NS.sasl2) return void this.saslElement(e).catch((err: Error) => this.internalError('authentication', err));
    const register = e.name === 'iq' && ns === NS.client ? e.getChild('query', NS.register) : undefined;
    if (register && this.deps.config.registration) {
      if (this.mustEncryptFirst()) return this.fail('policy-violation', 'start TLS before registering');
      return void registerBeforeAuth(e, register, this.registrationDeps()).then(
        (reply) => this.transport.send(reply),
        (err: Error) => this.internalError('registration', err, e),
      );
    }
    this.fail('not-authorized', 'authenticate first');
  }

  /**
   * A dependency failed (Cassandra, NATS) while handling a client request: answer the request with
   * internal-server-error when there is one, else end the stream; never let it crash the process.
   */
  private internalError(what: string, err: Error, request?: Element): void {
    this.log.error({ err: err.message, what, stream: this.streamId }, 'request failed');
    if (request && request.name === 'iq') this.transport.send(errorReply(request, 'internal-server-error', { text: `${what} failed; try again` }));
    else this.fail('internal-server-error', `${what} failed; try again`);
  }

  private registrationDeps() {
    return { accounts: this.deps.accounts, domain: this.deps.config.domain, remoteIp: this.transport.remoteAddress, throttle: this.deps.registrationThrottle, enabled: this.deps.config.registration };
  }

  private async startTls(): Promise<void> {
    if (!this.transport.canStartTls) return this.fail('unsupported-feature', 'TLS is already on or not available here');
    this.transport.send(el('proceed', { xmlns: NS.tls }));
    try {
      await this.transport.startTls();
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'TLS handshake failed');
    }
  }

  private mustEncryptFirst(): boolean {
    const c = this.deps.config;
    return c.tlsRequired && !c.plainWithoutTls && !this.transport.secure;
  }

  // ---- SASL and SASL2 + Bind2 (RFC 6120 §6, XEP-0388, XEP-0386) -----------------------------------

  private async saslElement(e: Element): Promise<void> {
    const success = await this.sasl.handle(e);
    if (!success || this.closing) return;
    this.account = success.jid;
    if (success.dialect === 'sasl') {
      this.transport.send(el('success', { xmlns: NS.sasl }, success.additionalData ? success.additionalData.toString('base64') : undefined));
      return this.transport.restartStream();
    }
    await this.completeSasl2(success.jid, success.request, success.additionalData);
  }

  /** SASL2 success: no stream restart; inline resumption or Bind2 happen in the same round trip. */
  private async completeSasl2(account: Jid, req: Sasl2Request, additionalData: Buffer | undefined): Promise<void> {
    const success = el('success', { xmlns: NS.sasl2 }, additionalData ? el('additional-data', {}, additionalData.toString('base64')) : undefined);
    const resumed = req.resume ? await this.resume(req.resume) : undefined;
    if (this.closing) return;
    if (resumed?.ok) {
      success.append(el('authorization-identifier', {}, this.jid.toString()), resumed.element);
      this.transport.send(success);
      return this.afterResumed(resumed);
    }
    if (!req.bind) {
      success.append(el('authorization-identifier', {}, account.toString()));
      if (resumed) success.append(resumed.element);
      return this.transport.send(success);
    }
    this.clientId = req.userAgentId ?? '';
    const b = readBind2(req.bind, this.deps.config.catchupMax);
    const bound = el('bound', { xmlns: NS.bind2 });
    // Live deliveries are held from the moment the session is registered until the catch-up is out.
    if (b.catchup) this.liveBuffer = [];
    // Before binding: the registry record written at bind must already say 2.0 (the router reads it).
    this.imNg = b.imNg;
    const registered = this.bindSession(bind2Resource(account, b.tag, req.userAgentId));
    this.csi.initial(b.inactive);
    if (b.enableSm) bound.append(this.enableSm(b.smResume));
    success.append(el('authorization-identifier', {}, this.jid.toString()));
    if (resumed) success.append(resumed.element);
    success.append(bound);
    if (!b.catchup) return this.transport.send(success);
    await registered;
    const catchup = await runCatchup(this.deps.archive, this.jid, b.catchup);
    if (catchup.metadata) bound.append(catchup.metadata);
    bound.append(el('catchup', { xmlns: NS.concord, count: catchup.results.length, complete: String(catchup.complete) }));
    this.transport.send(success);
    // Kept by reference in the record (results are unparsed; their IDs come in the same order).
    const ids = catchup.ids.size === catchup.results.length ? [...catchup.ids] : [];
    catchup.results.forEach((r, i) => this.write(r, ids[i] ? { archiveId: ids[i], form: Form.FORM_CATCHUP_RESULT } : undefined));
    this.write(el('message', { to: this.jid.toString(), from: this.jid.bare().toString() },
      el('caught-up', { xmlns: NS.concord, 'last-id': catchup.lastId, complete: String(catchup.complete) })));
    // Messages routed before the session was registered that the archive had not written yet
    // reach it neither live nor in this catch-up: they follow, as live messages with a delay.
    if (catchup.behind) void this.replayFromArchive({ afterId: catchup.lastId || undefined, since: catchup.lastId ? undefined : b.catchup.since, skip: catchup.ids });
    else this.releaseLive(catchup.ids);
  }

  /** After a catch-up or a replay: the live stanzas held meanwhile go out, late copies of `replayed` do not. */
  private releaseLive(replayed: Set<string>): void {
    const held = this.liveBuffer ?? [];
    this.liveBuffer = undefined;
    this.holdArchivedOnly = false;
    // A replayed message may also be in flight as a live delivery that arrives later:
    // remember the replayed IDs for a while and drop such late copies.
    this.replayed = replayed;
    setTimeout(() => (this.replayed = undefined), REPLAYED_MEMORY_MS).unref();
    // Given now: a replay of lost deliveries (missedDeliveries) must not bring them again.
    const recent = (this.recent ??= new RecentIds(RECENT_IDS));
    for (const id of replayed) recent.seenBefore(id);
    for (const live of held) this.deliver(live);
    const missed = this.missedSince;
    this.missedSince = undefined;
    if (missed) void this.missedDeliveries(missed.since, missed.gate);
  }

  missedDeliveries(since: Date, gate: Gate): Promise<void> {
    // A legacy session not yet available gets them in its replay at initial presence.
    if (this.ended || !this.bound || this.legacy?.replayPending) return Promise.resolve();
    if (this.liveBuffer) {
      // A catch-up or replay is running; it may have read the archive before the loss.
      if (!this.missedSince || since < this.missedSince.since) this.missedSince = { since, gate };
      return Promise.resolve();
    }
    return this.replayFromArchive({ since: since.toISOString(), skip: new Set(this.recent?.ids() ?? []) }, gate);
  }

  /** A legacy session's initial presence: what arrived while it was away, with the live flow held meanwhile. */
  private replayMissed(legacy: LegacyMarkTracker): void {
    this.liveBuffer = [];
    this.holdArchivedOnly = true;
    let retries = 0;
    const onRetry = (reason: string) => (retries++ === 0 ? this.log.warn({ reason, stream: this.streamId }, 'legacy replay waits for the archive') : this.log.debug({ reason, stream: this.streamId }, 'legacy replay still waits'));
    // Registered first: what is routed from then on finds the session live, the replay brings what was routed before.
    void this.deps.sessions.bind(this).then(() => legacyReplay(this.deps.archive, this.jid, legacy, {
      max: this.deps.config.catchupMax, carbons: this.carbons, retry: REPLAY_RETRY, isOver: () => this.ended, onRetry,
    })).then((r) => {
      for (const s of r.stanzas) this.write(s);
      this.releaseLive(r.ids);
    }, (err: Error) => {
      if (err instanceof ReplayAbandoned) return;
      this.log.error({ err: err.message, stream: this.streamId }, 'legacy replay failed; the next login replays from the previous mark');
      legacy.keepPrevious();
      this.releaseLive(new Set());
    });
  }

  setCarbons(enable: boolean): Promise<void> {
    this.carbons = enable;
    return this.deps.sessions.bind(this);
  }

  rosterRequested(): void {
    this.presence.used();
  }

  get remoteAddress(): string {
    return this.transport.remoteAddress;
  }

  // ---- binding ---------------------------------------------------------------------------------

  private preBind(e: Element, ns: string | undefined): void {
    if (ns === NS.sm && e.name === 'resume') {
      void this.resume(e).then((r) => {
        if (this.closing) return;
        this.transport.send(r.element);
        if (r.ok) this.afterResumed(r);
      }, (err: Error) => this.internalError('resumption', err));
      return;
    }
    if (ns === NS.sm) return this.transport.send(el('failed', { xmlns: NS.sm }, el('unexpected-request', { xmlns: NS.stanzas })));
    if (e.name === 'iq' && ns === NS.client && e.attrs['type'] === 'set') {
      const bind = e.getChild('bind', NS.bind);
      if (bind) return this.legacyBind(e, bind);
    }
    this.fail('not-authorized', 'bind a resource first');
  }

  private legacyBind(iq: Element, bind: Element): void {
    const requested = bind.getChildText('resource', NS.bind);
    let resource: string;
    try {
      resource = requested ? normalizeResourcepart(requested) : randomResource();
    } catch (err) {
      if (!(err instanceof JidError)) throw err;
      return this.transport.send(errorReply(iq, 'bad-request', { text: 'invalid resource' }));
    }
    this.clientId = resource;
    this.bindSession(resource);
    // A resource the client chose can come back: remember what it receives (DESIGN §3.5).
    if (requested) this.legacy = LegacyMarkTracker.newStream(this.deps.legacyMarks, this.jid);
    this.transport.send(el('iq', { type: 'result', id: iq.attrs['id'] }, el('bind', { xmlns: NS.bind }, el('jid', {}, this.jid.toString()))));
  }

  private bindSession(resource: string): Promise<void> {
    this.bound = this.account!.withResource(resource);
    this.boundAtMs = Date.now();
    clearTimeout(this.preAuthTimer);
    const registered = this.deps.sessions.bind(this);
    void this.deps.push.login(this);
    this.idleBytes = this.transport.bytesIn;
    this.armIdle(this.deps.config.idleTimeout);
    this.log.info({ jid: this.bound.toString(), stream: this.streamId, transport: this.transport.kind }, 'session bound');
    return registered;
  }

  /**
   * A session silent for the idle timeout is pinged (XEP-0199); silent for a further
   * min(30 s, timeout) it is closed with <connection-timeout/>, freeing a dead TCP peer's slot.
   */
  private armIdle(ms: number): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.checkIdle(), ms);
    this.idleTimer.unref();
  }

  private checkIdle(): void {
    if (this.closing || !this.bound) return;
    const timeout = this.deps.config.idleTimeout;
    if (this.transport.bytesIn !== this.idleBytes) {
      this.idleBytes = this.transport.bytesIn;
      this.idlePinged = false;
      return this.armIdle(timeout);
    }
    if (this.idlePinged) return this.fail('connection-timeout', 'no traffic and no answer to a ping');
    this.idlePinged = true;
    this.deliver(el('iq', { type: 'get', id: `idle-${this.deps.newId()}`, from: this.deps.config.domain, to: this.bound.toString() }, el('ping', { xmlns: NS.ping })));
    this.armIdle(Math.min(30_000, timeout));
  }

  // ---- Stream Management ------------------------------------------------------------------------

  private smOptions() {
    const c = this.deps.config;
    return { ackHoldMaxMs: c.ackHoldMax, maxQueue: c.smMaxQueue, maxQueueBytes: c.smMaxQueueBytes, requestEvery: SM_REQUEST_EVERY };
  }

  private enableSm(resume: boolean): Element {
    const max = Math.round(this.deps.config.smResumeTimeout / 1000);
    this.sm = new StreamManagement(this.deps.newId(), resume, this.smOptions(), this.smCallbacks());
    if (resume) {
      this.journal = new SmJournal(this.deps.smStore, this.sm.id, undefined, () => this.smRecord(), this.journalOutput(), this.log);
      this.journal.touch();
    }
    return el('enabled', { xmlns: NS.sm, id: this.sm.id, ...(resume ? { resume: 'true', max } : {}) });
  }

  private smCallbacks() {
    // <a h> goes through the journal too: the record's h is never below one the client was told.
    return {
      sendAck: (h: number) => this.send(el('a', { xmlns: NS.sm, h })),
      requestAck: () => this.send(el('r', { xmlns: NS.sm })),
    };
  }

  private journalOutput() {
    return {
      send: (e: Element) => {
        if (!this.closing) this.toSocket(e);
      },
      moved: () => this.streamMoved(),
    };
  }

  /** To the socket, behind the record when the stream is resumable. */
  private send(e: Element): void {
    if (this.journal) this.journal.send(e);
    else this.toSocket(e);
  }

  /**
   * A client that does not read must not grow this process's memory. Bursts (a MAM page, a
   * catch-up) may go over the bound while a client takes them; still over it after the slow-reader
   * timeout, or four times over at any moment, the stream ends (a resumable one hibernates with
   * its queue bounded by count, and the client resumes once it reads again; everything
   * persistent is in the archive anyway).
   */
  private toSocket(e: Element): void {
    this.transport.send(e);
    const { maxOutboundBytes, slowReaderTimeout } = this.deps.config;
    const queued = this.transport.bytesQueued;
    if (queued <= maxOutboundBytes) return;
    if (queued > OUTBOUND_HARD_FACTOR * maxOutboundBytes) return this.notReading();
    this.slowReaderTimer ??= setTimeout(() => {
      this.slowReaderTimer = undefined;
      if (this.transport.bytesQueued > maxOutboundBytes) this.notReading();
    }, slowReaderTimeout).unref();
  }

  private notReading(): void {
    this.log.info({ jid: this.bound?.toString(), stream: this.streamId, queuedBytes: this.transport.bytesQueued }, 'ending the stream of a client that does not read');
    this.fail('resource-constraint', 'the client is not reading what is sent to it');
  }

  private smElement(e: Element): void {
    if (e.name === 'enable') {
      if (this.sm) return this.transport.send(el('failed', { xmlns: NS.sm }, el('unexpected-request', { xmlns: NS.stanzas })));
      return this.transport.send(this.enableSm(['true', '1'].includes(e.attrs['resume'] ?? '')));
    }
    if (!this.sm) return this.transport.send(el('failed', { xmlns: NS.sm }, el('unexpected-request', { xmlns: NS.stanzas })));
    if (e.name === 'r') return this.sm.request();
    if (e.name === 'a') {
      const h = Number(e.attrs['h']);
      if (!this.sm.ack(h)) {
        this.transport.send(el('handled-count-too-high', { xmlns: NS.sm, h: e.attrs['h'] ?? '' }));
        return this.fail('undefined-condition', 'acknowledged more stanzas than were sent');
      }
      this.legacy?.acked(this.sm);
      return;
    }
    if (e.name === 'resume') return this.transport.send(el('failed', { xmlns: NS.sm }, el('unexpected-request', { xmlns: NS.stanzas })));
    this.fail('unsupported-stanza-type', `<${echoName(e.name)}> in ${NS.sm}`);
  }

  /**
   * XEP-0198 §5: resumes a stream hibernating here, or one whose record another gateway (or this
   * one before a restart or crash) wrote. A stream from its record also gets what was archived
   * while nobody held it (`replay`, after the re-sent queue).
   */
  private async resume(e: Element): Promise<{ ok: true; element: Element; resend: Element[]; replay?: ReplayStart } | { ok: false; element: Element }> {
    const previd = e.attrs['previd'] ?? '';
    const h = Number(e.attrs['h']);
    const account = this.account!.toString();
    const notFound = { ok: false as const, element: el('failed', { xmlns: NS.sm }, el('item-not-found', { xmlns: NS.stanzas })) };
    const startedAt = Date.now();
    const local = this.deps.sessions.takeHibernated(previd, account);
    if (local) this.deps.sessions.unbind(local.session);
    const state: (Hibernated & { replay?: ReplayStart }) | undefined = local?.state ?? await this.restoreStream(previd, h, account);
    if (!state) return notFound;
    const resend = state.sm.resendAfter(h);
    if (!resend) return { ok: false, element: el('failed', { xmlns: NS.sm, h: state.sm.inboundHandled }, el('unexpected-request', { xmlns: NS.stanzas })) };
    this.sm = state.sm;
    this.sm.rebind(this.smCallbacks());
    this.journal = state.journal;
    this.journal.rebind(this.journalOutput(), () => this.smRecord());
    this.bound = state.jid;
    this.boundAtMs = state.boundAtMs;
    this.clientId = state.clientId;
    this.imNg = state.imNg;
    this.carbons = state.carbons;
    this.recent = state.recent;
    if (isLegacyBound(state.jid, state.clientId, state.imNg)) this.legacy = LegacyMarkTracker.resumedStream(this.deps.legacyMarks, state.jid, state.sm);
    clearTimeout(this.preAuthTimer);
    // Live deliveries are held from registration until <resumed>, the re-sent queue and any replay
    // are out (joined as a catch-up is).
    this.liveBuffer = [];
    this.registered = this.deps.sessions.bind(this);
    // The record is written before <resumed h> goes out: it must never say less than the client is told.
    const handled = this.sm.inboundHandled;
    this.journal.touch();
    await this.journal.settle();
    if (this.closing) return notFound;
    this.log.info({ jid: this.bound.toString(), stream: this.streamId, from: local ? 'this gateway' : 'saved state', tookMs: Date.now() - startedAt, resent: resend.length }, 'stream resumed');
    return { ok: true, element: el('resumed', { xmlns: NS.sm, previd, h: handled }), resend, ...(state.replay ? { replay: state.replay } : {}) };
  }

  /**
   * A stream from its record (sm-store.ts): taken over, its unacknowledged queue rebuilt (archived
   * messages from the archive), and where its replay starts. Undefined when there is no record
   * for this account, or another resumption took it.
   */
  private async restoreStream(previd: string, h: number, account: string): Promise<(Hibernated & { replay: ReplayStart }) | undefined> {
    const taken = await this.deps.smStore.take(previd, (r) => tryParseJid(r.fullJid)?.bare().toString() === account).catch(() => undefined);
    if (!taken) return undefined;
    const r = taken.record;
    const jid = tryParseJid(r.fullJid)!;
    // Records of older gateways (written at a graceful stop) kept XML only.
    const queued = r.queued.length > 0 ? r.queued : r.unacked.map((xml) => ({ xml, archiveId: '', form: Form.FORM_XML }));
    // An impossible h gets the same <failed h/> as for a stream resumed from memory (resendAfter).
    const plan = resendPlan({ outboundSent: r.outboundSent, outboundAcked: r.outboundAcked, queued }, h) ?? { acked: r.outboundAcked, resend: [] };
    const archived = await fetchArchived(this.deps.archive, jid, plan.resend.filter((q) => q.form !== Form.FORM_XML).map((q) => q.archiveId));
    const parse = (xml: string) => parseElement(xml, INTERNAL_XML_LIMITS, NS.client);
    const resend: { el: Element; ref: Reference | undefined }[] = [];
    for (const q of plan.resend) {
      const stanza = rebuild(q, archived.get(q.archiveId), jid, parse);
      if (stanza) resend.push({ el: stanza, ref: q.form === Form.FORM_XML ? undefined : { archiveId: q.archiveId, form: q.form } });
    }
    const sm = StreamManagement.restore(previd, { inboundHandled: r.inboundHandled, acked: plan.acked, resend, recentArchiveIds: r.recentArchiveIds }, this.smOptions(), this.smCallbacks());
    const journal = new SmJournal(this.deps.smStore, previd, taken.revision, () => this.smRecord(), this.journalOutput(), this.log);
    // The duplicate filter starts with what the record says the stream was given.
    const recent = new RecentIds(RECENT_IDS);
    for (const id of [...r.recentArchiveIds, ...resend.flatMap((x) => (x.ref ? [x.ref.archiveId] : []))]) recent.seenBefore(id);
    return { sm, journal, jid, clientId: r.clientId, imNg: r.imNg, carbons: r.carbons, boundAtMs: r.boundAtMs, recent, replay: replayStart({ ...r, queued }) };
  }

  /**
   * What was archived after `start` and not sent (after a resumption from a record, or a Bind2
   * catch-up read while the archive was behind), then the held live flow. Asked again until the
   * archive has written everything routed before the session was registered: live deliveries
   * made meanwhile went to nobody, so giving up would lose them. Until then only archived live
   * messages are held (they must follow the replay); pings, answers and presence go out.
   */
  private replayFromArchive(start: ReplayStart, gate: Gate = (task) => task()): Promise<void> {
    const { catchupMax } = this.deps.config;
    this.holdArchivedOnly = true;
    const held = this.liveBuffer ?? [];
    this.liveBuffer = [];
    for (const s of held) this.deliver(s);
    const replay = async () => {
      await this.registered;
      for (let attempt = 1; ; attempt++) {
        if (this.ended) throw new ReplayAbandoned();
        const r = await gate(() => replayMissed(this.deps.archive, this.jid, start, { max: catchupMax, imNg: this.imNg, carbons: this.carbons }))
          .catch((err: Error) => err);
        if (!(r instanceof Error) && !r.behind) return r;
        if (attempt === 1) this.log.warn({ stream: this.streamId, reason: r instanceof Error ? r.message : 'the archive is behind' }, 'replay from the archive waits for it');
        await sleep(backoffMs(REPLAY_RETRY, attempt));
      }
    };
    return replay().then((r) => {
      for (const s of r.stanzas) this.write(s);
      this.releaseLive(r.ids);
    }, (err: Error) => {
      if (!(err instanceof ReplayAbandoned)) this.log.error({ err: err.message, stream: this.streamId }, 'replay from the archive failed');
    });
  }

  private afterResumed(r: { resend: Element[]; replay?: ReplayStart }): void {
    // Counted already, but maybe not yet in the record (queued while hibernating): behind it.
    for (const s of r.resend) this.send(s);
    if (r.replay) void this.replayFromArchive(r.replay);
    else this.releaseLive(new Set());
  }

  // ---- stanzas ----------------------------------------------------------------------------------

  private stanza(raw: Element): void {
    const seq = ++this.seq;
    const kind = stanzaKind(raw);
    const span = tracer.startSpan(`xmpp inbound ${kind}`, {
      kind: SpanKind.SERVER,
      attributes: { 'xmpp.stanza': kind, 'xmpp.type': (raw.attrs['type'] ?? '').slice(0, 64), 'xmpp.stream': this.streamId, 'xmpp.session': this.jid.toString(), 'xmpp.seq': seq, ...stanzaIdAttributes(raw) },
    });
    this.spans.set(seq, span);
    this.acceptedAt.set(seq, { stanza: kind, at: startTimer() });
    if (this.sm) this.smCounterOf.set(seq, { n: this.sm.inbound(), epoch: this.sm.epoch });
    const inboundCtx = { session: this.jid, domain: this.deps.config.domain, serverFeatures: this.deps.serverFeatures };
    // Every stanza is checked and stamped first; the handlers below only see what passed.
    const checked = checkInbound(raw, inboundCtx);
    if (checked.kind !== 'route') return this.apply(checked, seq, raw, span);
    const e = checked.stanza;
    const handler = this.deps.handlers.find((h) => h.claims(e, this));
    if (handler) return this.answer(handler, e, seq, raw);
    this.apply(classifyChecked(e, inboundCtx), seq, raw, span);
  }

  /** Carries out the verdict on one stanza (`raw`: as the client sent it). */
  private apply(verdict: InboundVerdict, seq: number, raw: Element, span: Span): void {
    this.deps.metrics.stanzasIn.add(1, { stanza: stanzaKind(raw), verdict: verdict.kind });
    switch (verdict.kind) {
      case 'stream-error':
        return this.fail(verdict.condition, verdict.reason);
      case 'local':
      case 'bounce':
        if (verdict.reply) this.deliver(verdict.reply);
        return this.outcome(seq);
      case 'route': {
        if (verdict.stanza.name === 'presence') this.presence.used();
        if (this.legacy && isInitialPresence(verdict.stanza) && this.legacy.claimReplay()) this.replayMissed(this.legacy);
        // The publish runs inside the stanza's span, so the router's and archive's work joins its trace.
        const ctx = trace.setSpan(otContext.active(), span);
        this.publishChain = this.publishChain.then(() => otContext.with(ctx, () => this.publish(verdict.stanza, seq)));
      }
    }
  }

  /** A stanza the gateway answers itself (handlers/): its outcome is final once the answer is written. */
  private answer(handler: LocalHandler, e: Element, seq: number, raw: Element): void {
    this.deps.metrics.stanzasIn.add(1, { stanza: stanzaKind(raw), verdict: 'local' });
    void handler.handle(e, this).then((r) => {
      this.outcome(seq);
      if (r?.endStream) this.fail(r.endStream.condition, r.endStream.text);
    }, (err: Error) => {
      this.internalError(handler.name, err, e);
      this.outcome(seq);
    });
  }

  private async publish(stanza: Element, seq: number): Promise<void> {
    const account = this.jid.bare().toString();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.inbound.publish(stanza, { account, streamId: this.streamId, counter: seq, clientId: this.clientId, imNg: this.imNg });
        return;
      } catch (err) {
        if (attempt >= 5 || this.ended) {
          this.log.error({ err: (err as Error).message, stream: this.streamId }, 'could not hand a stanza to the bus');
          if (!this.ended) this.deliver(errorReply(stanza, 'internal-server-error', { from: this.deps.config.domain, text: 'temporarily unable to accept stanzas' }));
          return this.outcome(seq);
        }
        await sleep(backoffMs(PUBLISH_RETRY, attempt));
      }
    }
  }

  outcome(seq: number, notice?: Element): void {
    if (notice) this.deliver(notice);
    const counter = this.smCounterOf.get(seq);
    if (counter !== undefined) {
      this.smCounterOf.delete(seq);
      this.sm?.finalize(counter.n, counter.epoch);
    }
    const span = this.spans.get(seq);
    if (span) {
      this.spans.delete(seq);
      if (notice) span.setStatus({ code: SpanStatusCode.ERROR, message: 'archive failed' });
      // The client's ack: the Stream Management count of handled stanzas now covers this one (if contiguous).
      if (this.sm && counter !== undefined) span.addEvent('xmpp sm handled', { 'xmpp.sm.h': this.sm.inboundHandled });
      span.end();
    }
    const accepted = this.acceptedAt.get(seq);
    if (accepted) {
      this.acceptedAt.delete(seq);
      this.deps.metrics.ackDuration.record(secondsSince(accepted.at), { stanza: accepted.stanza });
    }
  }

  /**
   * Stanzas for the session; held while a catch-up is being sent (it is joined without gap or
   * duplicate), and, when not `urgent`, while the client is CSI-inactive. The server's own
   * answers are urgent.
   */
  deliver(stanza: Element, opts: { urgent?: boolean } = {}): void {
    if (this.liveBuffer && (!this.holdArchivedOnly || deliveredArchiveId(stanza, this.jid.bare().toString()) !== undefined)) {
      this.liveBuffer.push(stanza);
      return;
    }
    const id = deliveredArchiveId(stanza, this.jid.bare().toString());
    if (id !== undefined) {
      if (this.replayed?.delete(id)) return;
      if ((this.recent ??= new RecentIds(RECENT_IDS)).seenBefore(id)) {
        this.deps.metrics.duplicatesDropped.add(1);
        return;
      }
    }
    this.legacy?.handed(stanza);
    this.csi.deliver(stanza, opts.urgent ?? true);
  }

  /**
   * Every stanza to the client goes through here, so that Stream Management counts it; `ref`
   * names the archived message it is a form of when the stanza cannot tell (sm-record.ts).
   */
  private write(stanza: Element, ref?: Reference): void {
    const counted = this.journal ? ref ?? referenceOf(stanza, this.jid) : undefined;
    // Measured for the queue's byte bound: a client that reads but never acks, or a stream
    // waiting to be resumed, must not hold more than CONCORD_GATEWAY_SM_MAX_QUEUE_BYTES here.
    if (this.sm && !this.sm.outbound(stanza, counted, Buffer.byteLength(serialize(stanza)))) {
      // Hibernating and the queue is full: the stream cannot be resumed losslessly any more.
      if (this.closing && !this.ended) return this.endSession();
      return this.fail('resource-constraint', 'too many unacknowledged stanzas (or bytes)');
    }
    if (this.closing) return;
    this.send(stanza);
    this.legacy?.written(stanza, this.sm);
    this.deps.metrics.stanzasOut.add(1);
  }
}
