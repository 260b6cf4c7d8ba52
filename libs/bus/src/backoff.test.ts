import { backoffMs } from './backoff';

describe('backoff', () => {
  it.each([
    [{ firstMs: 250, maxMs: 1_000 }, [1, 2, 3, 4, 10], [250, 500, 1_000, 1_000, 1_000]],
    [{ firstMs: 10, maxMs: Infinity }, [1, 2, 5], [10, 20, 160]],
    [{ firstMs: 100, maxMs: 5_000 }, [0, 2_000], [100, 5_000]],
  ])('%j waits %j -> %j', (b, attempts, waits) => {
    expect(attempts.map((n) => backoffMs(b, n))).toEqual(waits);
  });
});
