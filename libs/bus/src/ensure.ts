import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { BucketDecl, ConsumerDecl, StreamDecl } from './registry';

/** JetStream API error code: a stream with that name exists (with a different config). */
const STREAM_NAME_IN_USE = 10058;

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamNotFound || err.code === JetStreamApiCodes.ConsumerNotFound);
}

/** The fields we own; the server fills in the rest and we must not treat those as drift. */
const OWNED: (keyof StreamConfig)[] = ['subjects', 'retention', 'storage', 'max_age', 'num_replicas', 'duplicate_window', 'discard'];

function drifted(want: Partial<StreamConfig>, have: StreamConfig): boolean {
  return OWNED.some((k) => want[k] !== undefined && JSON.stringify(want[k]) !== JSON.stringify(have[k]));
}

/**
 * Creates each stream or brings it in line with its declaration. Safe to run from every
 * service instance at start, concurrently: creating an identical stream twice is accepted.
 */
export async function ensureStreams(jsm: JetStreamManager, decls: StreamDecl[]): Promise<Record<string, EnsureOutcome>> {
  const out: Record<string, EnsureOutcome> = {};
  for (const d of decls) {
    let have: StreamConfig | undefined;
    try {
      have = (await jsm.streams.info(d.config.name)).config;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!have) {
      try {
        await jsm.streams.add(d.config);
        out[d.config.name] = 'created';
      } catch (err) {
        // Another instance won the race with the same declaration.
        if (!(err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE)) throw err;
        out[d.config.name] = 'unchanged';
      }
    } else if (drifted(d.config, have)) {
      if (have.storage !== d.config.storage || have.retention !== d.config.retention) {
        throw new Error(`stream ${d.config.name} exists with storage=${have.storage} retention=${have.retention}; ` +
          `the registry wants storage=${d.config.storage} retention=${d.config.retention}, which cannot be changed in place`);
      }
      await jsm.streams.update(d.config.name, { ...have, ...d.config });
      out[d.config.name] = 'updated';
    } else {
      out[d.config.name] = 'unchanged';
    }
  }
  return out;
}

export async function ensureConsumers(jsm: JetStreamManager, streamName: (d: ConsumerDecl) => string, decls: ConsumerDecl[]): Promise<void> {
  for (const d of decls) {
    const stream = streamName(d);
    try {
      await jsm.consumers.info(stream, d.config.durable_name);
      await jsm.consumers.update(stream, d.config.durable_name, d.config);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await jsm.consumers.add(stream, d.config);
    }
  }
}

export async function ensureBuckets(nc: NatsConnection, decls: BucketDecl[], jsm?: JetStreamManager): Promise<void> {
  const kvm = new Kvm(nc);
  for (const d of decls) {
    await kvm.create(d.name, { ttl: d.ttlMs, storage: d.storage === 'file' ? 'file' : 'memory', replicas: d.replicas, history: 1 } as never);
    // Opening an existing bucket keeps its old TTL: bring it in line (e.g. CONCORD_SESSION_TTL changed).
    if (jsm) await ensureBucketTtl(jsm, `KV_${d.name}`, d.ttlMs);
  }
}

async function ensureBucketTtl(jsm: JetStreamManager, stream: string, ttlMs: number): Promise<void> {
  const have = (await jsm.streams.info(stream)).config;
  const want = ttlMs > 0 ? nanos(ttlMs) : 0;
  // As at creation, the duplicate window is two minutes at most and never longer than the TTL.
  if (have.max_age !== want) await jsm.streams.update(stream, { ...have, max_age: want, duplicate_window: want > 0 ? Math.min(want, nanos(120_000)) : nanos(120_000) });
}
