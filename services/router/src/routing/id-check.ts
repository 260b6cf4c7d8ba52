import type { Logger } from '@concord/log';
import type { ArchiveStore } from '@concord/storage';

export interface IdCheckOptions {
  /** Longest one check may take before the message is routed as new. */
  timeoutMs: number;
  /** After a check failed or timed out, how long the next ones are skipped (not waited for). */
  skipForMs: number;
}

export const ID_CHECK_DEFAULTS: IdCheckOptions = { timeoutMs: 1_000, skipForMs: 2_000 };

/**
 * Which of a message's archive IDs are already in use (is this a re-send?). Past the timeout,
 * and for a while after one (Cassandra down or stalled), the answer is "unknown" at once: live
 * delivery goes on during an archive outage, at full speed, and the archive's own ID index
 * check keeps the first row of a re-send (docs/design.md, Durability). A message routed as new
 * while it was a re-send can reach a session a second time only if its gateway no longer
 * remembers the first copy.
 */
export class IdCheck {
  private skipUntil = 0;

  constructor(
    private readonly archive: Pick<ArchiveStore, 'idsInUse'>,
    private readonly log: Logger,
    private readonly opts: IdCheckOptions = ID_CHECK_DEFAULTS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The "owner\nid" keys in use among `ids` (owner → id); undefined when unknown. */
  async inUse(ids: Map<string, string>): Promise<Set<string> | undefined> {
    if (this.now() < this.skipUntil) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.opts.timeoutMs)));
    const read = this.archive.idsInUse([...new Set(ids.keys())], [...new Set(ids.values())]).catch((err: Error) => err);
    try {
      const r = await Promise.race([read, timeout]);
      if (r instanceof Set) return r;
      this.skipUntil = this.now() + this.opts.skipForMs;
      this.log.warn({ err: r === 'timeout' ? `no answer within ${this.opts.timeoutMs} ms` : r.message, skipForMs: this.opts.skipForMs }, 'archive ID check failed; routing messages as new meanwhile');
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
