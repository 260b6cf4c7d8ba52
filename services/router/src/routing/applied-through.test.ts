import { AppliedThrough } from './applied-through';

describe('AppliedThrough', () => {
  it('is 0 until a reading of the stream is covered by the floor', () => {
    const t = new AppliedThrough();
    expect(t.ms).toBe(0);
    t.sampled(1_000, 10);
    t.applied(9);
    expect(t.ms).toBe(0);
    t.applied(10);
    expect(t.ms).toBe(1_000);
  });

  it('moves to the newest reading the floor covers, never back', () => {
    const t = new AppliedThrough();
    t.sampled(1_000, 10);
    t.sampled(2_000, 20);
    t.sampled(3_000, 30);
    t.applied(25);
    expect(t.ms).toBe(2_000);
    t.applied(5);
    expect(t.ms).toBe(2_000);
    t.applied(30);
    expect(t.ms).toBe(3_000);
  });

  it('a stream that did not grow is covered by the same floor', () => {
    const t = new AppliedThrough();
    t.sampled(1_000, 10);
    t.applied(10);
    t.sampled(2_000, 10);
    t.applied(10);
    expect(t.ms).toBe(2_000);
  });

  it('forgets readings too old to prove anything, while the archive is behind', () => {
    const t = new AppliedThrough();
    t.sampled(0, 10);
    t.sampled(11 * 60_000, 20);
    t.applied(10);
    expect(t.ms).toBe(0);
    t.applied(20);
    expect(t.ms).toBe(11 * 60_000);
  });
});
