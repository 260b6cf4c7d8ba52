import { Watermark } from './watermark';

describe('Watermark', () => {
  it('wakes a reader when it reaches the position, not before', async () => {
    const w = new Watermark();
    let woke = false;
    const waiting = w.reached(5, 10_000).then(() => (woke = true));
    w.advance(4);
    await Promise.resolve();
    expect(woke).toBe(false);
    w.advance(5);
    await waiting;
    expect(woke).toBe(true);
    expect(w.position).toBe(5);
  });

  it('never goes back, and gives up waiting after the timeout', async () => {
    const w = new Watermark();
    w.advance(7);
    w.advance(3);
    expect(w.position).toBe(7);
    await w.reached(100, 20);
    expect(w.position).toBe(7);
  });
});
