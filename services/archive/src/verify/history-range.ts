import type { Bus, BusNames } from '@concord/bus';
import { partitionOf } from '@concord/bus';
import { HistoryEventType, type HistoryEvent } from '@concord/events';

/** Where a read of the history stream starts: a sequence, or the first event stored at or after a time. */
export type HistoryStart = { seq: number } | { timeMs: number };

export interface HistoryRange {
  from: HistoryStart;
  /** The last sequence read (inclusive). */
  upTo: number;
  /** Only this account's partition is read; other accounts sharing it are still yielded. */
  account?: string;
  /** Ends the read early (a stopping service). */
  signal?: AbortSignal;
}

export interface HistoryItem {
  seq: number;
  /** Undefined when the message does not decode. */
  event: HistoryEvent | undefined;
}

/** Events the reader fetches ahead. */
const BATCH = 512;

/**
 * Reads the history stream over a range in order with an ordered consumer (ephemeral, no acks;
 * what nats-server 2.9 offers for a start sequence or time and one subject filter), deleted
 * when the reader stops. Ends at `upTo` or at the last event stored when it gets there.
 */
export async function* readHistory(js: Bus['js'], names: BusNames, range: HistoryRange): AsyncGenerator<HistoryItem> {
  const stream = names.stream('history');
  const subject = range.account === undefined ? undefined : names.subjects.history(partitionOf(range.account, names.partitions));
  const start = 'seq' in range.from ? { opt_start_seq: Math.max(1, range.from.seq) } : { opt_start_time: new Date(range.from.timeMs).toISOString() };
  const consumer = await js.consumers.get(stream, { ...start, ...(subject ? { filter_subjects: subject } : {}) });
  try {
    if ((await consumer.info(true)).num_pending === 0) return;
    const messages = await consumer.consume({ max_messages: BATCH });
    const stop = () => void messages.close();
    range.signal?.addEventListener('abort', stop);
    try {
      for await (const m of messages) {
        if (range.signal?.aborted) return;
        if (m.seq > range.upTo) return;
        yield { seq: m.seq, event: decode(m.data) };
        if (m.seq >= range.upTo || m.info.pending === 0) return;
      }
    } finally {
      range.signal?.removeEventListener('abort', stop);
      await messages.close();
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}

function decode(data: Uint8Array): HistoryEvent | undefined {
  try {
    return HistoryEventType.fns.decode(data);
  } catch {
    return undefined;
  }
}

/** The stream's last sequence now (0 when empty); undefined when the stream does not exist. */
export async function historyLastSeq(jsm: Bus['jsm'], names: BusNames): Promise<number | undefined> {
  try {
    return (await jsm.streams.info(names.stream('history'))).state.last_seq;
  } catch (err) {
    if (/stream not found/i.test((err as Error).message)) return undefined;
    throw err;
  }
}

/** When the stream stored the event at `seq` (Unix milliseconds); undefined when it is gone. */
export async function storedAt(jsm: Bus['jsm'], names: BusNames, seq: number): Promise<number | undefined> {
  try {
    const m = await jsm.streams.getMessage(names.stream('history'), { seq });
    return m ? m.time.getTime() : undefined;
  } catch {
    return undefined;
  }
}
