import { status } from '@grpc/grpc-js';

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

/** Errors of the Cassandra driver and the NATS client that mean "try again later". */
const TRANSIENT = /NoHostAvailable|OperationTimedOut|ResponseError|TIMEOUT|CONNECTION_|DISCONNECT|no responders|closed/i;

/**
 * The status an error becomes at the edge: ApiError keeps its code, a dependency that does
 * not answer is UNAVAILABLE, and a bug is INTERNAL (never UNKNOWN).
 */
export function statusOf(err: unknown): { code: status; details: string; expected: boolean } {
  if (err instanceof ApiError) return { code: err.code, details: err.message, expected: true };
  const e = err as Error & { code?: unknown };
  const text = `${e?.name ?? ''} ${String(e?.code ?? '')} ${e?.message ?? ''}`;
  if (TRANSIENT.test(text)) return { code: status.UNAVAILABLE, details: 'the archive store or bus is unavailable; retry later', expected: true };
  return { code: status.INTERNAL, details: 'internal error', expected: false };
}
