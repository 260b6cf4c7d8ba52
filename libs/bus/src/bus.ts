import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@concord/log';
import { busNames, type BucketKey, type BusNames } from './names';
import { bucketDecls, consumerDecls, DEFAULT_BUS_SETTINGS, streamDecls, type BusSettings, type ConsumerDecl } from './registry';
import { ensureBuckets, ensureConsumers, ensureStreams } from './ensure';
import { coalesceSocketWrites } from './coalesce';
import { JsPublisher } from './js-publisher';

export interface BusOptions {
  servers: string[];
  /** Connection name shown in nats-server monitoring, e.g. "concord-router@host". */
  name: string;
  prefix?: string;
  partitions?: number;
  settings?: Partial<BusSettings>;
  log: Logger;
}

/** What a reconnection listener is told. */
export interface Reconnection {
  /**
   * When the connection was found lost. Core NATS messages published to this connection's
   * subscriptions from a little before then until the reconnection went to nobody.
   */
  lostAtMs: number;
}

/** Longest a close waits for the connection to drain before it closes it anyway. */
const DRAIN_WITHIN_MS = 5_000;

/** One NATS connection with its JetStream handles and the registry's names. */
export class Bus {
  private readonly kvs = new Map<BucketKey, KV>();
  private readonly reconnectListeners = new Set<(r: Reconnection) => void>();
  /** When the connection was last lost (the first disconnect since it was last up). */
  private lostAtMs: number | undefined;
  /** Publishes events to JetStream (resolves with the PubAck). */
  readonly publisher: JsPublisher;

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly names: BusNames,
    readonly settings: BusSettings,
    private readonly log: Logger,
  ) {
    this.publisher = new JsPublisher(nc, (l) => this.onReconnect(l));
  }

  static async connect(opts: BusOptions): Promise<Bus> {
    const names = busNames(opts.prefix, opts.partitions);
    const nc = await connect({
      servers: opts.servers,
      name: opts.name,
      // Keep trying forever: services survive a nats-server restart instead of dying with it.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      // Without this every request builds Error objects with stack traces up front, in case
      // it fails. Our errors still say what failed; they lose only the caller's async stack.
      noAsyncTraces: true,
    });
    if (!coalesceSocketWrites(nc)) opts.log.debug('nats.js internals differ: socket writes are not coalesced');
    const jsm = await jetstreamManager(nc);
    const bus = new Bus(nc, jetstream(nc), jsm, names, { ...DEFAULT_BUS_SETTINGS, ...opts.settings }, opts.log);
    bus.watchStatus();
    return bus;
  }

  private watchStatus(): void {
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === 'disconnect') this.lostAtMs ??= Date.now();
        if (s.type === 'reconnect') {
          coalesceSocketWrites(this.nc);
          const r: Reconnection = { lostAtMs: this.lostAtMs ?? Date.now() };
          this.lostAtMs = undefined;
          for (const l of [...this.reconnectListeners]) l(r);
        }
        if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') {
          this.log.warn({ nats: s.type, server: 'server' in s ? s.server : undefined }, 'nats connection status');
        }
      }
    })();
  }

  /**
   * Calls `listener` at each reconnection until the returned function is called. A request the
   * server died holding is never answered: a caller waiting for one can give up and ask again.
   */
  onReconnect(listener: (r: Reconnection) => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /** Idempotent: creates or updates every stream, shared durable consumer and KV bucket. */
  async ensure(): Promise<void> {
    const outcome = await ensureStreams(this.jsm, streamDecls(this.names, this.settings));
    await ensureConsumers(this.jsm, (d) => this.names.stream(d.stream), consumerDecls(this.names));
    await ensureBuckets(this.nc, bucketDecls(this.names, this.settings), this.jsm);
    this.log.debug({ streams: outcome }, 'bus registry ensured');
  }

  /** Creates or updates consumers that are not in the deployment-wide set (e.g. per gateway node). */
  async ensureConsumers(decls: ConsumerDecl[]): Promise<void> {
    await ensureConsumers(this.jsm, (d) => this.names.stream(d.stream), decls);
  }

  async kv(key: BucketKey): Promise<KV> {
    let kv = this.kvs.get(key);
    if (!kv) {
      kv = await new Kvm(this.js).open(this.names.bucket(key));
      this.kvs.set(key, kv);
    }
    return kv;
  }

  /** True when the server answers a JetStream API request. */
  async ready(timeoutMs = 2_000): Promise<boolean> {
    if (this.nc.isClosed()) return false;
    try {
      await Promise.race([
        this.jsm.getAccountInfo(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
      ]);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Flushes what was published and closes; safe to call twice. Always closes: a drain waits for
   * the server's answer to a ping, so with the server gone it never ends, and a connection left
   * open reconnects for ever, which keeps a stopped service's process alive.
   */
  async close(drainWithinMs = DRAIN_WITHIN_MS): Promise<void> {
    if (this.nc.isClosed()) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainWithinMs)));
    const drained = this.nc.isDraining() ? this.nc.closed() : this.nc.drain();
    await Promise.race([drained.then(() => undefined, (err: Error) => this.log.warn({ err: err.message }, 'nats connection not drained')), late]);
    clearTimeout(timer);
    if (!this.nc.isClosed()) {
      this.log.warn('nats connection not drained in time; closing it');
      await this.nc.close();
    }
  }
}
