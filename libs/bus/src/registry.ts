import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig, AckPolicy, DeliverPolicy, type ConsumerConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { BusNames, StreamKey, BucketKey } from './names';

/** Deployment-dependent knobs of the registry; everything else is fixed here. */
export interface BusSettings {
  /** JetStream replicas for every stream and bucket (1 locally, 3 in a cluster). */
  replicas: number;
  /** How long history events are kept; 0 keeps them forever (the archive is rebuilt from them). */
  historyMaxAgeMs: number;
  /** How long accepted stanzas are kept after the router has handled them. */
  inboundMaxAgeMs: number;
  /** Window in which a re-published event with the same message ID is dropped by JetStream. */
  duplicateWindowMs: number;
  /**
   * A session registry entry expires this long after its gateway's last heartbeat (gateways
   * refresh every third of it): the bound within which a dead gateway's sessions vanish.
   */
  sessionTtlMs: number;
  /** How long Stream Management state is kept for resumption. */
  smStateTtlMs: number;
  /**
   * How long a legacy session's record of what it last received is kept after its last write:
   * a resource away for longer logs in as if for the first time (nothing replayed).
   */
  legacyMarkTtlMs: number;
}

export const DEFAULT_BUS_SETTINGS: BusSettings = {
  replicas: 1,
  historyMaxAgeMs: 0,
  inboundMaxAgeMs: 7 * 86_400_000,
  duplicateWindowMs: 120_000,
  sessionTtlMs: 90_000,
  smStateTtlMs: 600_000,
  legacyMarkTtlMs: 90 * 86_400_000,
};

export interface StreamDecl {
  key: StreamKey;
  /** What the stream holds and who reads it. */
  purpose: string;
  config: Partial<StreamConfig> & { name: string; subjects: string[] };
}

/**
 * Every stream Concord uses. Durable, must-not-lose data is file storage with explicit acks;
 * short-lived signals (presence) are memory streams with a short max age. Only fields that
 * nats-server 2.9 understands are set.
 */
export function streamDecls(names: BusNames, s: BusSettings): StreamDecl[] {
  const base = (key: StreamKey) => ({
    name: names.stream(key),
    subjects: [names.streamSubjects(key)],
    num_replicas: s.replicas,
    duplicate_window: nanos(s.duplicateWindowMs),
    discard: DiscardPolicy.Old,
  });
  return [
    {
      key: 'inbound',
      purpose: 'client stanzas accepted by gateways, partitioned by sending account; read by the router',
      config: { ...base('inbound'), storage: StorageType.File, retention: RetentionPolicy.Limits, max_age: nanos(s.inboundMaxAgeMs) },
    },
    {
      key: 'history',
      purpose: 'per-account history events; the source of truth the archive projects into Cassandra',
      config: { ...base('history'), storage: StorageType.File, retention: RetentionPolicy.Limits, max_age: nanos(s.historyMaxAgeMs) },
    },
    {
      key: 'commits',
      purpose: 'archive commits per gateway node; turned into Stream Management acks',
      config: { ...base('commits'), storage: StorageType.File, retention: RetentionPolicy.Limits, max_age: nanos(3_600_000) },
    },
    {
      key: 'push',
      purpose: 'push requests for the push service; removed once handled',
      config: { ...base('push'), storage: StorageType.File, retention: RetentionPolicy.Workqueue, max_age: nanos(86_400_000) },
    },
    {
      key: 'presence',
      // File storage: subscription requests travel here and must survive a restart of nats-server.
      purpose: 'presence and subscription stanzas routed to the presence service, in order per account',
      config: { ...base('presence'), storage: StorageType.File, retention: RetentionPolicy.Limits, max_age: nanos(s.inboundMaxAgeMs) },
    },
  ];
}

/**
 * How long the server waits for an event's ack before delivering it again. Consumers keep the
 * events in their hands alive (+WPI every third of this), so only a dead or stuck instance lets
 * it run out: this bounds how long the work of a crashed instance waits (DESIGN §3.4), and with
 * it how long the acks of every sender behind it stall.
 */
export const ACK_WAIT_MS = 4_000;

/** JetStream's max_deliver for "no limit". */
const UNLIMITED = -1;

export interface ConsumerDecl {
  stream: StreamKey;
  service: string;
  config: Partial<ConsumerConfig> & { durable_name: string };
}

/**
 * Durable consumers that exist for the whole deployment (not per gateway node). The in-order
 * ones (inbound, history, presence) deliver without limit: their service retries a failing event
 * in place and terminates a poison one itself, so redeliveries only follow an instance that died
 * or stalled (SIGSTOP), and a server-side limit would let the ack floor pass events never handled.
 * Push requests are retried by redelivery, so their limit is the number of attempts.
 */
export function consumerDecls(names: BusNames): ConsumerDecl[] {
  const durable = (stream: StreamKey, service: string, purpose: string, maxDeliver = UNLIMITED): ConsumerDecl => ({
    stream,
    service,
    config: {
      durable_name: names.durable(service, purpose),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ACK_WAIT_MS),
      max_deliver: maxDeliver,
      max_ack_pending: 1_000,
    },
  });
  return [
    durable('inbound', 'router', 'inbound'),
    durable('history', 'archive', 'history'),
    durable('push', 'push', 'requests', 20),
    durable('presence', 'presence', 'events'),
  ];
}

/**
 * Consumers owned by one gateway node: the commits addressed to it. Named after the node so a
 * restarted gateway with the same CONCORD_NODE_ID continues where it stopped.
 */
export function gatewayConsumerDecls(names: BusNames, node: string): ConsumerDecl[] {
  return [{
    stream: 'commits',
    service: 'gateway',
    config: {
      durable_name: names.durable('gateway', `${node}-commits`),
      filter_subject: names.subjects.commit(node),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      ack_wait: nanos(ACK_WAIT_MS),
      max_deliver: 5,
      max_ack_pending: 10_000,
      // A node that is gone for good leaves no consumer behind.
      inactive_threshold: nanos(86_400_000),
    },
  }];
}

export interface BucketDecl {
  key: BucketKey;
  purpose: string;
  name: string;
  ttlMs: number;
  storage: 'file' | 'memory';
  replicas: number;
}

export function bucketDecls(names: BusNames, s: BusSettings): BucketDecl[] {
  return [
    {
      key: 'sessions',
      purpose: 'session registry: every bound session, kept alive by gateway heartbeats',
      name: names.bucket('sessions'),
      ttlMs: s.sessionTtlMs,
      storage: 'file',
      replicas: s.replicas,
    },
    {
      key: 'smState',
      purpose: 'Stream Management state for resumption across gateway restarts',
      name: names.bucket('smState'),
      ttlMs: s.smStateTtlMs,
      storage: 'file',
      replicas: s.replicas,
    },
    {
      key: 'presence',
      // No TTL: the presence service removes an entry when its session ends, or when the session
      // has left the registry (its gateway died), after broadcasting unavailable for it.
      purpose: 'presence of sessions: last available presence, directed presence, roster interest',
      name: names.bucket('presence'),
      ttlMs: 0,
      storage: 'file',
      replicas: s.replicas,
    },
    {
      key: 'legacyMarks',
      purpose: 'what each legacy session last received, for the replay at its next login',
      name: names.bucket('legacyMarks'),
      ttlMs: s.legacyMarkTtlMs,
      storage: 'file',
      replicas: s.replicas,
    },
    {
      key: 'pushAccounts',
      // No TTL: the push service keeps it equal to the accounts that have push registrations.
      purpose: 'accounts with push registrations: the router asks for pushes only for these',
      name: names.bucket('pushAccounts'),
      ttlMs: 0,
      storage: 'file',
      replicas: s.replicas,
    },
  ];
}
