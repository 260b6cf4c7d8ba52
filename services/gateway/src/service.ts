import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureContext } from 'node:tls';
import { randomBytes } from 'node:crypto';
import { gatewayConsumerDecls } from '@concord/bus';
import { publishArchiveDeletion } from '@concord/events';
import { SessionRegistry } from '@concord/registry';
import { openBaseContext, ServiceHost, type Worker } from '@concord/runtime';
import { AuthThrottle } from '@concord/sasl';
import { AccountStore } from '@concord/storage';
import { NS } from '@concord/xmpp';
import { INTERNAL_XML_LIMITS, type GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { commitsWorker } from './consumers/commits';
import { deliveriesWorker } from './consumers/deliveries';
import { localHandlers, type LocalHandler } from './handlers';
import { listenDirectTls, listenTcp, type Listener, type ListenOptions } from './listeners/tcp';
import { listenWebSocket } from './listeners/websocket';
import { ConnectionsPerAddress } from './limits/connections-per-address';
import { inboundPublisher } from './producers/inbound';
import { archiveQuerier, type ArchiveQuerier } from './producers/archive-query';
import { rosterQuerier, type RosterQuerier } from './producers/roster-query';
import { pushSettingsClient, type PushSettingsClient } from './producers/push-settings';
import { heartbeatWorker, registryWriter } from './registry/registry-worker';
import { Connection } from './session/connection';
import { LocalSessionTable } from './session/session-table';
import { LegacyMarkStore } from './session/legacy-marks';
import { SmStore } from './sm/sm-store';
import { gatewayMetrics, type GatewayMetrics } from './metrics';
import { loadTlsMaterial } from './tls/certificate';
import type { Transport } from './transport/transport';

export interface GatewayOptions {
  overrides?: Partial<GatewayContext>;
  metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
}

/** Stream and SM ids are unpredictable (RFC 6120 §4.7.3): a resumption id is a secret. */
function newId(): string {
  return randomBytes(12).toString('base64url');
}

/** Where a stanza enters: client listeners, sessions, and the bus edges they talk to. */
export class GatewayService {
  private readonly host: ServiceHost;
  private readonly listeners: Listener[] = [];
  private readonly perAddress: ConnectionsPerAddress;
  ports: { tcp?: number; tls?: number; ws?: number } = {};
  /** At most 5 new accounts per IP address per hour through in-band registration. */
  private readonly registrationThrottle = new AuthThrottle({ perIp: { maxFailures: 5, windowMs: 3_600_000 }, perAccount: { maxFailures: 5, windowMs: 3_600_000 } });

  private readonly metrics: GatewayMetrics;
  private readonly archive: ArchiveQuerier;
  private readonly roster: RosterQuerier;
  private readonly push: PushSettingsClient;
  private readonly handlers: readonly LocalHandler[];

  private constructor(readonly ctx: GatewayContext, opts: GatewayOptions) {
    this.metrics = gatewayMetrics(() => ctx.sessions.size);
    this.perAddress = new ConnectionsPerAddress(ctx.config.maxConnectionsPerIp);
    this.archive = archiveQuerier(ctx.bus, INTERNAL_XML_LIMITS, ctx.log);
    this.roster = rosterQuerier(ctx.bus, ctx.config.nodeId, INTERNAL_XML_LIMITS, ctx.log);
    this.push = pushSettingsClient(ctx.bus, INTERNAL_XML_LIMITS, ctx.log);
    this.handlers = localHandlers({
      config: ctx.config, accounts: ctx.accounts, registrationThrottle: this.registrationThrottle,
      archive: this.archive, roster: this.roster, push: this.push,
      endAccount: (bare) => ctx.sessions.endAccount(bare), newId,
    });
    this.host = new ServiceHost(ctx, {
      httpPort: ctx.config.httpPort, nodeConsumers: gatewayConsumerDecls(ctx.bus.names, ctx.config.nodeId),
      ...(opts.metricsHandler ? { metricsHandler: opts.metricsHandler } : {}),
    });
  }

  static async create(config: GatewayConfig, opts: GatewayOptions = {}): Promise<GatewayService> {
    const o = opts.overrides ?? {};
    // Without waiting for Cassandra: only authentication and account changes need it, and a
    // gateway started during an outage must accept clients (telling them to retry their login).
    const base = await openBaseContext('gateway', config, o, { cassandraInBackground: true });
    const tls = loadTlsMaterial(config.domain, config.tlsCertFile, config.tlsKeyFile);
    if (tls.selfSigned) base.log.warn({ domain: config.domain }, 'using a self-signed TLS certificate; set CONCORD_TLS_CERT_FILE and CONCORD_TLS_KEY_FILE for production');
    const registry = o.registry ?? registryWriter(new SessionRegistry(await base.bus.kv('sessions')), config.nodeId);
    const ctx: GatewayContext = {
      ...base,
      accounts: o.accounts ?? new AccountStore(base.cassandra, (owner) => publishArchiveDeletion(base.bus, owner)),
      throttle: o.throttle ?? new AuthThrottle({
        perIp: { maxFailures: config.authMaxFailuresPerIp, windowMs: config.authFailureWindow },
        perAccount: { maxFailures: config.authMaxFailuresPerAccount, windowMs: config.authFailureWindow },
      }),
      secureContext: o.secureContext ?? createSecureContext({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }),
      registry,
      sessions: o.sessions ?? new LocalSessionTable(registry, base.log),
      inbound: o.inbound ?? inboundPublisher(base.bus, config.nodeId),
      smStore: o.smStore ?? new SmStore(await base.bus.kv('smState'), (l) => base.bus.onReconnect(l)),
      legacyMarks: o.legacyMarks ?? new LegacyMarkStore(await base.bus.kv('legacyMarks'), base.log),
    };
    await ctx.bus.ensureConsumers(gatewayConsumerDecls(ctx.bus.names, config.nodeId));
    return new GatewayService(ctx, opts);
  }

  get httpPort(): number | undefined {
    return this.host.httpPort;
  }

  get sessionCount(): number {
    return this.ctx.sessions.size;
  }

  async start(): Promise<void> {
    const { ctx } = this;
    const c = ctx.config;
    const limits = { maxStanzaBytes: c.maxStanzaBytes, maxDepth: c.maxDepth };
    const workers: Worker[] = [
      commitsWorker(ctx.bus, c.nodeId, ctx.sessions, c.domain, ctx.log),
      deliveriesWorker(ctx.bus, c.nodeId, ctx.sessions, INTERNAL_XML_LIMITS, ctx.log, this.metrics),
      heartbeatWorker(ctx.registry, () => ctx.sessions.all(),
        (s) => ctx.sessions.byStreamId(s.streamId) === s, Math.max(1_000, ctx.bus.settings.sessionTtlMs / 3), ctx.log),
      this.push.worker,
      // Stopped after the listeners: the marks of the sessions they ended are written first.
      { name: 'legacy-marks', start: async () => undefined, stop: () => ctx.legacyMarks.idle() },
      this.listenersWorker(limits),
    ];
    await this.host.start(workers);
  }

  private listenersWorker(limits: { maxStanzaBytes: number; maxDepth: number }): Worker {
    const c = this.ctx.config;
    const base: Omit<ListenOptions, 'port'> = {
      host: c.bindHost,
      secureContext: this.ctx.secureContext,
      limits,
      admit: (ip) => this.admit(ip),
      accept: (t) => this.accept(t),
    };
    return {
      name: 'xmpp-listeners',
      start: async () => {
        const tcp = await listenTcp({ ...base, port: c.tcpPort });
        const tls = await listenDirectTls({ ...base, port: c.tlsPort });
        const ws = await listenWebSocket({ ...base, port: c.wsPort, secureBehindProxy: c.wsSecure });
        this.listeners.push(tcp, tls, ws);
        this.ports = { tcp: tcp.port, tls: tls.port, ws: ws.port };
        this.ctx.log.info({ ...this.ports, host: c.bindHost, domain: c.domain }, 'accepting XMPP clients');
      },
      // Graceful: stop accepting, tell every client, then let the bus workers drain.
      stop: async () => {
        // Stop accepting at once; the close completes when the last connection has gone.
        const closed = Promise.all(this.listeners.splice(0).map((l) => l.close()));
        await this.ctx.sessions.shutdownAll();
        await closed;
      },
    };
  }

  private admit(ip: string): (() => void) | undefined {
    const release = this.perAddress.admit(ip);
    if (!release) this.ctx.log.warn({ ip }, 'connection refused: too many from this address');
    return release;
  }

  private accept(transport: Transport): void {
    const c = this.ctx.config;
    new Connection(transport, {
      config: c,
      log: this.ctx.log,
      accounts: this.ctx.accounts,
      throttle: this.ctx.throttle,
      registrationThrottle: this.registrationThrottle,
      sessions: this.ctx.sessions,
      smStore: this.ctx.smStore,
      legacyMarks: this.ctx.legacyMarks,
      inbound: this.ctx.inbound,
      archive: this.archive,
      roster: this.roster,
      push: this.push,
      serverFeatures: c.registration ? [NS.register] : [],
      handlers: this.handlers,
      metrics: this.metrics,
      newId,
    });
  }

  destroy(): Promise<void> {
    return this.host.destroy();
  }
}
