import { responseErrorSide } from '../cassandra-errors';

export interface WriteFailureVerdict {
  /** 'retry': hold the event (and the sender's ack) and write again; 'give-up': ack with a failure notice. */
  verdict: 'retry' | 'give-up';
  /** The archive-failed notice's reason (DESIGN §7) when giving up. */
  notice: 'rejected' | 'unavailable';
  reason: string;
}

/** A refusal, or the driver's "every host failed" when each host refused. */
function refusedByCassandra(err: unknown): boolean {
  if (responseErrorSide(err) === 'request') return true;
  if (!(err instanceof Error) || err.name !== 'NoHostAvailableError') return false;
  const inner = Object.values((err as Error & { innerErrors?: Record<string, unknown> }).innerErrors ?? {});
  return inner.length > 0 && inner.every(refusedByCassandra);
}

/**
 * DESIGN §3.4: what a failed archive write leads to. A refused request is permanent: the
 * message is acked at once with a notice. Anything else (Cassandra unavailable, overloaded,
 * timing out, an error not known to be permanent) is transient: the write is retried, holding
 * the sender's ack, until `retryForMs` after the first failure.
 */
export function writeFailure(err: unknown, failingForMs: number, retryForMs: number): WriteFailureVerdict {
  if (refusedByCassandra(err)) return { verdict: 'give-up', notice: 'rejected', reason: 'Cassandra refused the write itself' };
  if (failingForMs >= retryForMs) return { verdict: 'give-up', notice: 'unavailable', reason: 'still failing after the retry bound' };
  return { verdict: 'retry', notice: 'unavailable', reason: 'transient: retried within the bound' };
}
