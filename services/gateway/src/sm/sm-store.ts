import type { KV } from '@nats-io/kv';
import { concord } from '@concord/proto';

export type SmStateRecord = concord.events.v1.SmStateRecord;
const Record = concord.events.v1.SmStateRecord;

/** The record was written by someone else since this writer's revision: the stream moved (resumed elsewhere). */
export class SmStreamMoved extends Error {
  constructor(smId: string) {
    super(`Stream Management state ${smId} was taken over`);
  }
}

/** JetStream API error code of a write whose expected revision is not the key's last one. */
const WRONG_LAST_SEQUENCE = 10071;

function isConflict(err: unknown): boolean {
  const e = err as { code?: unknown; message?: string } | undefined;
  return e?.code === WRONG_LAST_SEQUENCE || /wrong last sequence/i.test(e?.message ?? '');
}

const validId = (smId: string) => /^[A-Za-z0-9_-]{1,64}$/.test(smId);

/**
 * Resumable Stream Management state in JetStream KV, so that a stream can be resumed after its
 * gateway restarted or crashed, or on another gateway node. Every write names the revision its
 * writer last wrote (or took), so one stream has one writer: after another gateway took the
 * record, the old writer's next write fails with SmStreamMoved. Entries expire with the bucket's TTL.
 */
/** Calls its argument at each NATS reconnection until the returned function is called (Bus.onReconnect). */
export type OnReconnect = (listener: () => void) => () => void;

export class SmStore {
  constructor(private readonly kv: KV, private readonly onReconnect: OnReconnect = () => () => undefined) {}

  /**
   * Writes `record` over `revision` (undefined: a new stream) and returns the new revision.
   * A write whose answer was lost but which landed is recognised by its bytes, not taken for a move.
   */
  async write(smId: string, record: SmStateRecord, revision: number | undefined): Promise<number> {
    const bytes = Record.encode(record).finish();
    // A write the server died holding is never answered: at a reconnection it fails at once and
    // is retried (a copy that landed after all is recognised below), instead of after the
    // publish timeout, which every ack of the stream would wait behind.
    let stopWatching: () => void = () => undefined;
    const reconnected = new Promise<never>((_, reject) => {
      stopWatching = this.onReconnect(() => reject(new Error('NATS reconnected while the write waited for its answer')));
    });
    try {
      const put = revision === undefined ? this.kv.create(smId, bytes) : this.kv.update(smId, bytes, revision);
      return await Promise.race([put, reconnected]);
    } catch (err) {
      if (!isConflict(err)) throw err;
      const e = await this.kv.get(smId);
      if (e && e.operation === 'PUT' && Buffer.from(e.value).equals(Buffer.from(bytes))) return e.revision;
      throw new SmStreamMoved(smId);
    } finally {
      stopWatching();
    }
  }

  /**
   * Takes the stream over for resumption, only for its own account (checked before anything is
   * written, so nobody can disturb another account's stream): the record is written again over
   * its revision, so that two concurrent resumes cannot both win and its former writer stops.
   * It stays stored: a resumption that fails before its first write leaves it resumable.
   */
  async take(smId: string, belongs: (record: SmStateRecord) => boolean): Promise<{ record: SmStateRecord; revision: number } | undefined> {
    if (!validId(smId)) return undefined;
    const e = await this.kv.get(smId);
    if (!e || e.operation !== 'PUT' || e.value.length === 0) return undefined;
    const record = Record.decode(e.value);
    if (!belongs(record)) return undefined;
    try {
      return { record, revision: await this.kv.update(smId, e.value, e.revision) };
    } catch {
      return undefined;
    }
  }

  /** The record's last revision; undefined when there is none (deleted, or expired). */
  async revisionOf(smId: string): Promise<number | undefined> {
    const e = await this.kv.get(smId);
    return e && e.operation === 'PUT' ? e.revision : undefined;
  }

  /** Deletes the record if `revision` is still the last one written (a stream that moved is left alone). */
  async forget(smId: string, revision: number | undefined): Promise<void> {
    if (revision === undefined) return;
    await this.kv.delete(smId, { previousSeq: revision }).catch(() => undefined);
  }
}
