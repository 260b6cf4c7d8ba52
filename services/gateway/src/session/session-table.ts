import type { Logger } from '@concord/log';
import type { BoundSession, Hibernated, SessionTable } from './connection-deps';

/** Mirrors bound sessions into the cluster-wide session registry. */
export interface RegistryWriter {
  up(session: BoundSession): Promise<void>;
  down(session: BoundSession): Promise<void>;
}

/**
 * The bound sessions of this gateway node, by stream id and by full JID. A second bind of the
 * same full JID replaces the first, which ends with <conflict/> (RFC 6120 §7.7.2.2).
 */
export class LocalSessionTable implements SessionTable {
  private readonly byStream = new Map<string, BoundSession>();
  private readonly byJid = new Map<string, BoundSession>();
  private readonly hibernated = new Map<string, { state: Hibernated; session: BoundSession; timer: NodeJS.Timeout }>();

  constructor(private readonly registry: RegistryWriter, private readonly log: Logger) {}

  get size(): number {
    return this.byStream.size;
  }

  all(): BoundSession[] {
    return [...this.byStream.values()];
  }

  bind(session: BoundSession): Promise<void> {
    const key = session.jid.toString();
    const previous = this.byJid.get(key);
    if (previous && previous !== session) {
      this.forgetHibernated(previous);
      previous.terminate('conflict', 'replaced by a new session with the same resource');
      this.drop(previous);
    }
    this.byStream.set(session.streamId, session);
    this.byJid.set(key, session);
    return this.registry.up(session).catch((err: Error) => this.log.warn({ err: err.message }, 'session registry write failed'));
  }

  unbind(session: BoundSession): void {
    this.forgetHibernated(session);
    if (this.drop(session)) {
      this.registry.down(session).catch((err: Error) => this.log.warn({ err: err.message }, 'session registry delete failed'));
    }
  }

  release(session: BoundSession): void {
    this.forgetHibernated(session);
    this.drop(session);
  }

  private drop(session: BoundSession): boolean {
    const had = this.byStream.get(session.streamId) === session;
    if (had) this.byStream.delete(session.streamId);
    if (this.byJid.get(session.jid.toString()) === session) this.byJid.delete(session.jid.toString());
    return had;
  }

  byStreamId(streamId: string): BoundSession | undefined {
    return this.byStream.get(streamId);
  }

  endAccount(bareJid: string): void {
    for (const s of this.all()) {
      if (s.jid.bare().toString() === bareJid) {
        s.terminate('policy-violation', 'the account was deleted');
        this.unbind(s);
      }
    }
  }

  byFullJid(jid: string): BoundSession | undefined {
    return this.byJid.get(jid);
  }

  hibernate(smId: string, state: Hibernated, session: BoundSession, timeoutMs: number, onExpire?: () => void): void {
    const timer = setTimeout(() => {
      this.hibernated.delete(smId);
      state.sm.dispose();
      // A stream resumed on another gateway meanwhile lets itself go; its registry entry is the other's now.
      void session.stillOwned().then((owned) => {
        if (!owned) return;
        this.unbind(session);
        onExpire?.();
      });
    }, timeoutMs);
    timer.unref();
    this.hibernated.set(smId, { state, session, timer });
    // The record now says detached: push wakes the device while its stream waits.
    this.registry.up(session).catch((err: Error) => this.log.warn({ err: err.message }, 'session registry write failed'));
  }

  takeHibernated(smId: string, account: string): { state: Hibernated; session: BoundSession } | undefined {
    const h = this.hibernated.get(smId);
    if (!h || h.state.jid.bare().toString() !== account) return undefined;
    clearTimeout(h.timer);
    this.hibernated.delete(smId);
    return { state: h.state, session: h.session };
  }

  private forgetHibernated(session: BoundSession): void {
    for (const [id, h] of this.hibernated) {
      if (h.session === session) {
        clearTimeout(h.timer);
        this.hibernated.delete(id);
      }
    }
  }

  /** Graceful shutdown: resumable streams are saved, then every session is told the server is going down. */
  async shutdownAll(): Promise<void> {
    await Promise.all(this.all().map((s) => s.suspend()));
  }
}
