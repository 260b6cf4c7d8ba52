import type { Logger } from '@concord/log';
import type { AuthThrottle } from '@concord/sasl';
import type { AccountStore } from '@concord/storage';
import type { Element } from '@concord/xml';
import type { Jid } from '@concord/jid';
import type { GatewayConfig } from '../config';
import type { LocalHandler } from '../handlers';
import type { StreamManagement } from '../sm/stream-management';
import type { SmJournal } from '../sm/sm-journal';
import type { SmStore } from '../sm/sm-store';
import type { GatewayMetrics } from '../metrics';
import type { ArchiveQuerier } from '../producers/archive-query';
import type { RosterQuerier } from '../producers/roster-query';
import type { PushSettingsClient } from '../producers/push-settings';
import type { LegacyMarkStore } from './legacy-marks';
import type { RecentIds } from './recent-ids';

/** Accepted stanzas leave the gateway through this; resolves when JetStream has stored it. */
export interface InboundSink {
  publish(stanza: Element, meta: { account: string; streamId: string; counter: number; clientId: string; imNg: boolean }): Promise<void>;
}

/** A bound session as the rest of the gateway sees it. */
/** Runs a task when its turn comes (Limiter.run). */
export type Gate = <T>(task: () => Promise<T>) => Promise<T>;

export interface BoundSession {
  readonly streamId: string;
  readonly jid: Jid;
  /** What the session registry records about it. */
  readonly info: { imNg: boolean; clientId: string; csiInactive: boolean; pushEnabled: boolean; detached: boolean; carbons: boolean };
  /** `urgent` (default true) stanzas go out even while the client is CSI-inactive (DESIGN §3.2). */
  deliver(stanza: Element, opts?: { urgent?: boolean }): void;
  /** The router reported the final outcome of inbound stanza `counter`. */
  outcome(counter: number, notice?: Element): void;
  /** Ends the session with a stream error (e.g. conflict). */
  terminate(condition: 'conflict' | 'system-shutdown' | 'policy-violation', text?: string): void;
  /** Server shutdown: keeps a resumable stream's state for resumption elsewhere, then ends the stream. */
  suspend(): Promise<void>;
  /** False when its stream was resumed on another gateway; the session then lets it go (SessionTable.release). */
  stillOwned(): Promise<boolean>;
  /**
   * Live deliveries from `since` on may have gone to nobody (this node's NATS connection was
   * lost): what the archive has from then on that the session was not given follows, in order.
   * Resolves once the archive has answered (or the session ended). The live flow is held at
   * once; each archive query runs through `gate` (which bounds how many run at once).
   */
  missedDeliveries(since: Date, gate: Gate): Promise<void>;
}

/** Streams that can be resumed: kept while their connection is gone (XEP-0198 §5). */
export interface Hibernated {
  sm: StreamManagement;
  /** Its record's writer, which goes on with the stream. */
  journal: SmJournal;
  jid: Jid;
  /** When the session was first bound (a replay from its record may start shortly before). */
  boundAtMs: number;
  clientId: string;
  imNg: boolean;
  /** XEP-0280 carbons stay enabled on a resumed stream. */
  carbons: boolean;
  /** Archive IDs the stream was given (its duplicate filter goes on with it). */
  recent: RecentIds | undefined;
}

/** Bound sessions of this gateway node. */
export interface SessionTable {
  /** Resolves when the cluster-wide registry has the session (live deliveries can find it). */
  bind(session: BoundSession): Promise<void>;
  unbind(session: BoundSession): void;
  /** The session's stream was resumed on another gateway: forgets it here, leaving the registry entry (now the other's) alone. */
  release(session: BoundSession): void;
  byStreamId(streamId: string): BoundSession | undefined;
  /** Ends every session of an account on this node (it was deleted). */
  endAccount(bareJid: string): void;
  hibernate(smId: string, state: Hibernated, session: BoundSession, timeoutMs: number, onExpire?: () => void): void;
  /** Takes a hibernated stream for resumption; undefined when unknown, expired or another account's. */
  takeHibernated(smId: string, account: string): { state: Hibernated; session: BoundSession } | undefined;
}

export interface ConnectionDeps {
  config: GatewayConfig;
  log: Logger;
  accounts: AccountStore;
  throttle: AuthThrottle;
  /** Limits XEP-0077 account creation per IP address. */
  registrationThrottle: AuthThrottle;
  sessions: SessionTable;
  smStore: SmStore;
  inbound: InboundSink;
  archive: ArchiveQuerier;
  roster: RosterQuerier;
  push: PushSettingsClient;
  /** What legacy sessions last received (their replay at the next login, DESIGN §3.5). */
  legacyMarks: LegacyMarkStore;
  serverFeatures: readonly string[];
  /** The stanzas the gateway answers itself (handlers/), tried in order before routing. */
  handlers: readonly LocalHandler[];
  metrics: GatewayMetrics;
  /** Monotonic source of unique stream ids on this node. */
  newId(): string;
}
