import { status } from '@grpc/grpc-js';
import { responseErrorSide } from '../cassandra-errors';

/** An expected failure with its gRPC status code; anything else reaching the edge is mapped below. */
export class ApiError extends Error {
  constructor(readonly code: status, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export const invalid = (message: string) => new ApiError(status.INVALID_ARGUMENT, message);
export const notFound = (message: string) => new ApiError(status.NOT_FOUND, message);
export const unavailable = (message: string) => new ApiError(status.UNAVAILABLE, message);

/**
 * Errors of the Cassandra driver and the NATS client that mean "the dependency does not answer
 * now; the same call may succeed later", by class name (stable across copies of a library).
 */
const TRANSIENT_NAMES = new Set([
  // cassandra-driver
  'NoHostAvailableError', 'OperationTimedOutError', 'BusyConnectionError',
  // @nats-io/nats-core
  'ClosedConnectionError', 'DrainingConnectionError', 'ConnectionError', 'TimeoutError', 'NoResponders', 'NoRespondersError', 'RequestError',
]);

/**
 * A Cassandra answer about the cluster's state is transient; the others (syntax, invalid,
 * unauthorized, a missing keyspace or table...) are a bug or a misconfiguration: retrying the
 * call will not help, so they are INTERNAL and logged as errors.
 */
function isTransient(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'ResponseError') return responseErrorSide(err) === 'cluster';
  return TRANSIENT_NAMES.has(err.name);
}

/**
 * The status an error becomes at the edge: ApiError keeps its code, a dependency that does
 * not answer is UNAVAILABLE, and a bug is INTERNAL (never UNKNOWN).
 */
export function statusOf(err: unknown): { code: status; details: string; expected: boolean } {
  if (err instanceof ApiError) return { code: err.code, details: err.message, expected: true };
  if (isTransient(err)) return { code: status.UNAVAILABLE, details: 'the archive store or bus is unavailable; retry later', expected: true };
  return { code: status.INTERNAL, details: 'internal error', expected: false };
}
