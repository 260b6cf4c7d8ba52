import { SettledFloor } from './settled';

describe('SettledFloor', () => {
  const run = (steps: [('start' | 'settle'), number][]) => {
    const seen: number[] = [];
    const f = new SettledFloor((n) => seen.push(n));
    for (const [op, seq] of steps) (op === 'start' ? f.started(seq) : f.settled(seq));
    return { floor: f.position, seen };
  };

  it.each<[string, [('start' | 'settle'), number][], number, number[]]>([
    ['in order', [['start', 1], ['settle', 1], ['start', 2], ['settle', 2]], 2, [1, 2]],
    ['a later one first waits for the earlier', [['start', 1], ['start', 2], ['settle', 2]], 0, []],
    ['the earlier one releases both', [['start', 1], ['start', 2], ['settle', 2], ['settle', 1]], 2, [2]],
    ['a gap in sequences (deleted messages) is not waited for', [['start', 5], ['start', 9], ['settle', 9], ['settle', 5]], 9, [9]],
    ['stops below a pending one', [['start', 1], ['start', 2], ['start', 3], ['settle', 1], ['settle', 3]], 1, [1]],
    ['a redelivered sequence in hand twice settles with its last copy', [['start', 1], ['start', 1], ['settle', 1]], 0, []],
    ['... and then advances', [['start', 1], ['start', 1], ['settle', 1], ['settle', 1]], 1, [1]],
    ['sequences started out of order still settle in order', [['start', 4], ['start', 2], ['settle', 4], ['settle', 2]], 4, [4]],
    ['a redelivery of a settled one waits again', [['start', 1], ['start', 2], ['settle', 2], ['start', 2], ['settle', 1]], 1, [1]],
    ['a redelivery below the floor changes nothing', [['start', 1], ['settle', 1], ['start', 1], ['start', 2], ['settle', 2]], 2, [1, 2]],
  ])('%s', (_name, steps, floor, seen) => {
    expect(run(steps)).toEqual({ floor, seen });
  });

  it('follows many interleaved sequences to the end (compaction keeps the order)', () => {
    const f = new SettledFloor();
    const n = 5000;
    for (let s = 1; s <= n; s++) f.started(s);
    // The odd ones first: the floor stops at 1, below the first even one; the evens release the rest.
    for (let s = n - 1; s >= 1; s -= 2) f.settled(s);
    expect(f.position).toBe(1);
    for (let s = 2; s <= n; s += 2) f.settled(s);
    expect(f.position).toBe(n);
  });
});
