/**
 * The single registry of NATS names: streams, subjects, durable consumers and KV buckets.
 * Nothing else in the code base spells a subject; it asks this module.
 *
 * Every name derives from a prefix so that several deployments (or several test files) can
 * share one nats-server without seeing each other: prefix "concord" gives stream
 * CONCORD_HISTORY and subject concord.history.7; prefix "t_x1" gives T_X1_HISTORY and t_x1.history.7.
 */

export const DEFAULT_PREFIX = 'concord';
const PREFIX_RE = /^[a-z][a-z0-9_]{0,31}$/;
/** Gateway node ids and other subject tokens: no dots, wildcards or spaces. */
const TOKEN_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function assertPrefix(prefix: string): void {
  if (!PREFIX_RE.test(prefix)) {
    throw new Error(`bus prefix ${JSON.stringify(prefix)} must match ${PREFIX_RE} (lowercase, digits, _)`);
  }
}

export function assertToken(kind: string, token: string): void {
  if (!TOKEN_RE.test(token)) throw new Error(`${kind} ${JSON.stringify(token)} must match ${TOKEN_RE}`);
}

export type StreamKey = 'inbound' | 'history' | 'commits' | 'push' | 'presence';
export type BucketKey = 'sessions' | 'smState' | 'presence' | 'legacyMarks' | 'pushAccounts';

export interface BusNames {
  readonly prefix: string;
  readonly partitions: number;
  stream(key: StreamKey): string;
  bucket(key: BucketKey): string;
  /** Wildcard covering every subject a stream stores. */
  streamSubjects(key: StreamKey): string;
  subjects: {
    /** Accepted client stanzas, partitioned by the sending account (router input). */
    inbound(partition: number): string;
    /** Per-account history events, partitioned by the archive-owning account (archive input). */
    history(partition: number): string;
    /** Archive commits addressed to the gateway node holding the sending session. */
    commit(gatewayNode: string): string;
    /** Live deliveries to a gateway node (core NATS: a missed one is caught up from the archive). */
    deliver(gatewayNode: string): string;
    /** Push requests for the push service. */
    push(kind: PushSubjectKind): string;
    /** Presence and session lifecycle events. */
    presence(kind: PresenceSubjectKind): string;
    /** Request/reply liveness probe answered by every service instance. */
    ping(service: string): string;
    /** Request/reply: XEP-0313 queries from gateways, answered by any archive instance (queue group). */
    archiveQuery(): string;
    /** Request/reply: roster IQs (RFC 6121 jabber:iq:roster) from gateways, answered by any presence instance. */
    rosterQuery(): string;
    /** Request/reply: push settings of sessions (XEP-0357 enable/disable, notification preferences, login notices), answered by any push instance. */
    pushSettings(): string;
  };
  /** Durable consumer name, one pattern for all: <service>-<purpose>. */
  durable(service: string, purpose: string): string;
}

export type PushSubjectKind = 'request';
export type PresenceSubjectKind = 'session' | 'stanza';

const STREAM_SUFFIX: Record<StreamKey, string> = {
  inbound: 'INBOUND',
  history: 'HISTORY',
  commits: 'COMMITS',
  push: 'PUSH',
  presence: 'PRESENCE',
};
const SUBJECT_ROOT: Record<StreamKey, string> = {
  inbound: 'inbound',
  history: 'history',
  commits: 'commit',
  push: 'push',
  presence: 'presence',
};
const BUCKET_SUFFIX: Record<BucketKey, string> = { sessions: 'sessions', smState: 'sm_state', presence: 'presence', legacyMarks: 'legacy_marks', pushAccounts: 'push_accounts' };

export function busNames(prefix: string = DEFAULT_PREFIX, partitions = 16): BusNames {
  assertPrefix(prefix);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
    throw new Error(`bus partitions must be an integer in 1..1024, got ${partitions}`);
  }
  const part = (n: number): string => {
    if (!Number.isInteger(n) || n < 0 || n >= partitions) throw new Error(`partition ${n} out of range 0..${partitions - 1}`);
    return String(n);
  };
  const subj = (root: string, token: string) => `${prefix}.${root}.${token}`;
  return {
    prefix,
    partitions,
    stream: (key) => `${prefix.toUpperCase()}_${STREAM_SUFFIX[key]}`,
    bucket: (key) => `${prefix}_${BUCKET_SUFFIX[key]}`,
    streamSubjects: (key) => `${prefix}.${SUBJECT_ROOT[key]}.*`,
    subjects: {
      inbound: (p) => subj(SUBJECT_ROOT.inbound, part(p)),
      history: (p) => subj(SUBJECT_ROOT.history, part(p)),
      commit: (node) => (assertToken('gateway node', node), subj(SUBJECT_ROOT.commits, node)),
      deliver: (node) => (assertToken('gateway node', node), subj('deliver', node)),
      push: (kind) => subj(SUBJECT_ROOT.push, kind),
      presence: (kind) => subj(SUBJECT_ROOT.presence, kind),
      ping: (service) => (assertToken('service', service), subj('ping', service)),
      archiveQuery: () => `${prefix}.archive.query`,
      // Not under presence.*: a request on a subject the PRESENCE stream captures would be stored, not answered.
      rosterQuery: () => `${prefix}.roster.query`,
      // Not under push.* either: the PUSH stream captures that.
      pushSettings: () => `${prefix}.pushsettings.query`,
    },
    durable: (service, purpose) => {
      assertToken('service', service);
      assertToken('consumer purpose', purpose);
      return `${service}-${purpose}`;
    },
  };
}

/**
 * Partition of an account: FNV-1a over the UTF-8 bare JID. Stable across processes and
 * releases (changing it would reorder accounts' history), so it is spelled out here.
 */
export function partitionOf(account: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(account, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}
