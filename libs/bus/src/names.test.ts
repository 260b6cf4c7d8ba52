import { busNames, partitionOf } from './names';

describe('bus names', () => {
  const n = busNames('t_ab12', 8);

  it('derives stream, subject, bucket and durable names from the prefix', () => {
    expect(n.stream('history')).toBe('T_AB12_HISTORY');
    expect(n.streamSubjects('history')).toBe('t_ab12.history.*');
    expect(n.subjects.history(3)).toBe('t_ab12.history.3');
    expect(n.subjects.inbound(7)).toBe('t_ab12.inbound.7');
    expect(n.subjects.commit('gw-1')).toBe('t_ab12.commit.gw-1');
    expect(n.subjects.deliver('gw-1')).toBe('t_ab12.deliver.gw-1');
    expect(n.bucket('sessions')).toBe('t_ab12_sessions');
    expect(n.durable('router', 'inbound')).toBe('router-inbound');
  });

  it.each([
    ['partition out of range', () => n.subjects.history(8)],
    ['wildcard in node id', () => n.subjects.commit('gw.*')],
    ['dot in node id', () => n.subjects.deliver('a.b')],
    ['bad prefix', () => busNames('Bad.Prefix')],
    ['zero partitions', () => busNames('ok', 0)],
  ])('rejects %s', (_why, f) => expect(f).toThrow());
});

describe('partitionOf', () => {
  it('spreads accounts over partitions', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(partitionOf(`user${i}@example.com`, 16));
    expect(seen.size).toBe(16);
  });

  it('matches the FNV-1a reference value', () => {
    // FNV-1a 32-bit of "a" is 0xe40c292c.
    expect(partitionOf('a', 2 ** 31)).toBe(0xe40c292c % 2 ** 31);
  });
});
