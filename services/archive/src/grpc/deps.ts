import type { Bus } from '@concord/bus';
import type { Logger } from '@concord/log';
import type { ArchiveLifecycleStore, ArchiveStore, ConversationStore } from '@concord/storage';
import type { Watermark } from '../consumers/watermark';
import type { CallerRegistry } from './callers';

/** What the API handlers use; tests and the service build it from the archive's context. */
export interface ApiDeps {
  store: ArchiveStore;
  conversations: ConversationStore;
  lifecycle: ArchiveLifecycleStore;
  watermark: Watermark;
  bus: Bus;
  log: Logger;
  callers: CallerRegistry;
  /** Longest a deletion or retraction waits for the archive to apply it. */
  applyTimeoutMs: number;
  /** Aborted when the server stops: open Sync streams end with UNAVAILABLE. */
  stopping: AbortSignal;
}

/** One call as a handler sees it: who calls, until when, and whether it is still wanted. */
export interface CallContext {
  caller: string;
  /** Absolute deadline in ms since the epoch (Infinity when the client set none). */
  deadlineMs: number;
  /** True once the client cancelled, the deadline passed or the server is stopping. */
  done(): boolean;
  /** Calls `cb` once when done() becomes true. */
  onDone(cb: () => void): void;
}
