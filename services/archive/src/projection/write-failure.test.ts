import { errors, types } from 'cassandra-driver';
import { writeFailure } from './write-failure';

const codes = types.responseErrorCodes;
const refused = (code: number, message: string) => new errors.ResponseError(code, message);

describe('writeFailure (DESIGN §3.4)', () => {
  const BOUND = 120_000;
  it.each([
    ['a batch over the size limit', refused(codes.invalid, 'Batch too large'), 0, 'give-up', 'rejected'],
    ['a table missing from the keyspace', refused(codes.invalid, 'unconfigured table archive_buckets'), 0, 'give-up', 'rejected'],
    ['a syntax error', refused(codes.syntaxError, 'line 1:0'), 10, 'give-up', 'rejected'],
    ['no permission', refused(codes.unauthorized, 'no MODIFY'), 0, 'give-up', 'rejected'],
    ['a replica timeout', refused(codes.writeTimeout, 'timed out'), 0, 'retry', 'unavailable'],
    ['an overloaded node', refused(codes.overloaded, 'overloaded'), BOUND - 1, 'retry', 'unavailable'],
    ['too few replicas, past the bound', refused(codes.unavailableException, 'unavailable'), BOUND, 'give-up', 'unavailable'],
    ['no host available', new errors.NoHostAvailableError({}), 5_000, 'retry', 'unavailable'],
    ['every host refused', new errors.NoHostAvailableError({ 'a:9042': refused(codes.invalid, 'x'), 'b:9042': refused(codes.invalid, 'x') }), 0, 'give-up', 'rejected'],
    ['one host refused, one timed out', new errors.NoHostAvailableError({ 'a:9042': refused(codes.invalid, 'x'), 'b:9042': new errors.OperationTimedOutError('t') }), 0, 'retry', 'unavailable'],
    ['an unknown error', new Error('socket hang up'), 0, 'retry', 'unavailable'],
    ['an unknown error, past the bound', new Error('socket hang up'), BOUND + 1, 'give-up', 'unavailable'],
    ['not an Error at all', 'boom', 0, 'retry', 'unavailable'],
  ])('%s: %s after %s ms', (_what, err, failingForMs, verdict, notice) => {
    const v = writeFailure(err, failingForMs, BOUND);
    expect([v.verdict, v.notice]).toEqual([verdict, notice]);
    expect(v.reason).not.toBe('');
  });
});
