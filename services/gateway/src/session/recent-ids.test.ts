import { RecentIds } from './recent-ids';

describe('RecentIds', () => {
  const at = (clock: { t: number }) => () => clock.t;

  it.each([
    { name: 'a first copy passes', seen: [], id: 'a', dup: false },
    { name: 'a second copy is dropped', seen: ['a'], id: 'a', dup: true },
    { name: 'another id passes', seen: ['a'], id: 'b', dup: false },
  ])('$name', ({ seen, id, dup }) => {
    const r = new RecentIds({ max: 10, ttlMs: 1_000 });
    for (const s of seen) r.seenBefore(s);
    expect(r.seenBefore(id)).toBe(dup);
  });

  it('forgets ids older than the ttl', () => {
    const clock = { t: 0 };
    const r = new RecentIds({ max: 10, ttlMs: 1_000 }, at(clock));
    r.seenBefore('a');
    clock.t = 999;
    expect(r.seenBefore('a')).toBe(true);
    clock.t = 2_000;
    expect(r.seenBefore('a')).toBe(false);
  });

  it('keeps at most max ids, forgetting the oldest first', () => {
    const r = new RecentIds({ max: 2, ttlMs: 60_000 });
    r.seenBefore('a');
    r.seenBefore('b');
    r.seenBefore('c');
    expect(r.seenBefore('b')).toBe(true);
    expect(r.seenBefore('c')).toBe(true);
    expect(r.seenBefore('a')).toBe(false);
  });

  it('lists the ids still within the ttl, oldest first', () => {
    const clock = { t: 0 };
    const r = new RecentIds({ max: 10, ttlMs: 1_000 }, at(clock));
    r.seenBefore('a');
    clock.t = 500;
    r.seenBefore('b');
    expect(r.ids()).toEqual(['a', 'b']);
    clock.t = 1_200;
    expect(r.ids()).toEqual(['b']);
  });
});
