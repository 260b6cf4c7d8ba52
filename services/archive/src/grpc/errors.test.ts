import { status } from '@grpc/grpc-js';
import { errors as nats } from '@nats-io/nats-core';
import { errors as cassandra, types } from 'cassandra-driver';
import { ApiError, statusOf } from './errors';

const codes = types.responseErrorCodes;

describe('statusOf', () => {
  const cases: [string, unknown, status, boolean][] = [
    ['an expected failure keeps its code', new ApiError(status.NOT_FOUND, 'no such message'), status.NOT_FOUND, true],
    ['no Cassandra node answers', new cassandra.NoHostAvailableError({}), status.UNAVAILABLE, true],
    ['a Cassandra request timed out in the driver', new cassandra.OperationTimedOutError('timed out'), status.UNAVAILABLE, true],
    ['too few replicas for the consistency level', new cassandra.ResponseError(codes.unavailableException, 'Cannot achieve consistency level'), status.UNAVAILABLE, true],
    ['a coordinator overloaded', new cassandra.ResponseError(codes.overloaded, 'overloaded'), status.UNAVAILABLE, true],
    ['a replica read timeout', new cassandra.ResponseError(codes.readTimeout, 'Operation timed out'), status.UNAVAILABLE, true],
    ['a replica write timeout', new cassandra.ResponseError(codes.writeTimeout, 'Operation timed out'), status.UNAVAILABLE, true],
    ['a node still starting', new cassandra.ResponseError(codes.isBootstrapping, 'bootstrapping'), status.UNAVAILABLE, true],
    ['a missing keyspace or table (misconfiguration)', new cassandra.ResponseError(codes.invalid, 'Keyspace k does not exist'), status.INTERNAL, false],
    ['a CQL syntax error (a bug)', new cassandra.ResponseError(codes.syntaxError, 'line 1:0 no viable alternative'), status.INTERNAL, false],
    ['a role without permission', new cassandra.ResponseError(codes.unauthorized, 'User has no SELECT permission'), status.INTERNAL, false],
    ['the NATS connection closed', new nats.ClosedConnectionError(), status.UNAVAILABLE, true],
    ['the NATS connection draining', new nats.DrainingConnectionError(), status.UNAVAILABLE, true],
    ['a NATS request timed out', new nats.TimeoutError(), status.UNAVAILABLE, true],
    ['no JetStream responders', new nats.NoRespondersError('$JS.API.STREAM.INFO.x'), status.UNAVAILABLE, true],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')"), status.INTERNAL, false],
    ['a bug that mentions a closed file', new Error('file closed before read'), status.INTERNAL, false],
    ['something thrown that is not an Error', 'boom', status.INTERNAL, false],
  ];
  it.each(cases)('%s', (_what, err, code, expected) => {
    const s = statusOf(err);
    expect(s.code).toBe(code);
    expect(s.expected).toBe(expected);
    expect(s.code).not.toBe(status.UNKNOWN);
  });

  it('keeps internal details out of what the caller sees', () => {
    expect(statusOf(new cassandra.ResponseError(codes.invalid, 'Keyspace secret_ks does not exist')).details).toBe('internal error');
    expect(statusOf(new ApiError(status.INVALID_ARGUMENT, 'page_size must be 1..1000')).details).toBe('page_size must be 1..1000');
  });
});
