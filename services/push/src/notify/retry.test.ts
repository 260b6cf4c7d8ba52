import { retryDelay } from './retry';

describe('retry delay', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, 1_000, 10_000))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000]);
    expect(retryDelay(500, 1_000, 10_000)).toBe(10_000);
  });

  it('waits at least what the app server asked, within the cap', () => {
    expect(retryDelay(1, 1_000, 60_000, 30_000)).toBe(30_000);
    expect(retryDelay(1, 1_000, 10_000, 30_000)).toBe(10_000);
  });
});
