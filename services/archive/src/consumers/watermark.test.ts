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

describe('Watermark.written', () => {
  it('resolves for a position written above the watermark, and for one below it', async () => {
    const w = new Watermark();
    const waiting = w.written(9, 10_000);
    w.markWritten(8);
    w.markWritten(9);
    expect(await waiting).toBe(true);
    expect(w.position).toBe(0);
    w.advance(10);
    expect(await w.written(3, 10)).toBe(true);
  });

  it('answers false when the position is not written in time', async () => {
    const w = new Watermark();
    w.markWritten(2);
    expect(await w.written(1, 20)).toBe(false);
  });

  it('tells listeners of every advance until they unsubscribe', () => {
    const w = new Watermark();
    const seen: number[] = [];
    const off = w.onAdvance((p) => seen.push(p));
    w.advance(2);
    w.advance(2);
    w.advance(9);
    off();
    w.advance(10);
    expect(seen).toEqual([2, 9]);
  });
});

describe('Watermark failures', () => {
  it('tells the depending copy once why an event was given up on', () => {
    const w = new Watermark();
    w.markFailed(4, 'rejected');
    expect(w.takeFailure(3)).toBeUndefined();
    expect(w.takeFailure(4)).toBe('rejected');
    expect(w.takeFailure(4)).toBeUndefined();
  });
});
