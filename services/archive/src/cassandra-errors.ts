import { types } from 'cassandra-driver';

const codes = types.responseErrorCodes;

/**
 * Cassandra's answers about the cluster's state: too few replicas, overloaded, starting, timed
 * out or failed on a replica. The same request may succeed later.
 */
const CLUSTER_CODES = new Set<number>([
  codes.serverError, codes.unavailableException, codes.overloaded, codes.isBootstrapping, codes.truncateError,
  codes.writeTimeout, codes.readTimeout, codes.readFailure, codes.writeFailure,
]);

/**
 * Cassandra's refusals of the request itself (a row over a size limit, a table missing from the
 * keyspace, no permission, bad syntax): the same request would be refused again.
 */
const REQUEST_CODES = new Set<number>([codes.syntaxError, codes.unauthorized, codes.invalid, codes.configError, codes.alreadyExists]);

/**
 * What a Cassandra ResponseError is about: 'cluster' (its state), 'request' (the request itself),
 * or undefined for anything else (not a ResponseError, or a code in neither list).
 */
export function responseErrorSide(err: unknown): 'cluster' | 'request' | undefined {
  if (!(err instanceof Error) || err.name !== 'ResponseError') return undefined;
  const code = (err as Error & { code?: number }).code ?? -1;
  if (CLUSTER_CODES.has(code)) return 'cluster';
  return REQUEST_CODES.has(code) ? 'request' : undefined;
}
