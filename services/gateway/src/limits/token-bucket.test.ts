import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst, then asks to wait in proportion to the debt', () => {
    let now = 0;
    const b = new TokenBucket(10, 20, () => now);
    for (let i = 0; i < 20; i++) expect(b.take(1)).toBe(0);
    expect(b.take(1)).toBe(100);
    now = 1_000;
    expect(b.take(1)).toBe(0);
    now = 100_000;
    expect(b.take(20)).toBe(0);
    expect(b.take(5)).toBe(500);
  });
});
