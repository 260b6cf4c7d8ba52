import type { Bus } from '@concord/bus';
import type { Logger } from '@concord/log';
import type { concord } from '@concord/proto';
import type { PushAccounts, SessionDirectory, SessionRegistry } from '@concord/registry';
import type { ArchiveStore } from '@concord/storage';
import type { AppliedThrough } from './applied-through';
import type { IdCheck } from './id-check';

export type InboundStanza = concord.events.v1.InboundStanza;

/** What routing needs: the bus, the cluster's session registry, and the served domain. */
export interface RouteContext {
  bus: Bus;
  /** Single sessions, read from the bucket. */
  registry: SessionRegistry;
  /** Accounts' sessions, from the watched copy (synced on every read). */
  sessions: SessionDirectory;
  /** Accounts with push registrations (watched copy): no push request for the others. */
  pushAccounts: PushAccounts;
  domain: string;
  log: Logger;
  /** Read-only here: waits for a re-sent message's first copy to be archived. */
  archive: ArchiveStore;
  /** Tells whether a message is a re-send of one already archived (bounded in time). */
  idCheck: IdCheck;
  /** How far the archive has applied the history stream (its events carry it as proof). */
  appliedThrough: AppliedThrough;
}

/** Who reports the stanza's outcome to the gateway: the router now, or the archive once the sender's copy is written. */
export type Outcome = 'routed' | 'archive-commits' | 'already-archived';
