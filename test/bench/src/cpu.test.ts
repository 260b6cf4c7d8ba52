import { cpuPerMessage, cpuSecondsOf, describeCpu, stackPids } from './cpu';

describe('CPU per message', () => {
  it('divides each process’s CPU time by the messages, and totals the processes read both times', () => {
    const before = { seconds: new Map([['gateway', 1], ['cassandra', 10], ['gone', 3]]) };
    const after = { seconds: new Map([['gateway', 1.5], ['cassandra', 11], ['new', 2]]) };
    const c = cpuPerMessage(before, after, 1000);
    expect(c.byProcess).toEqual([['gateway', 0.5], ['cassandra', 1]]);
    expect(c.total).toBeCloseTo(1.5);
    expect(describeCpu(c)).toBe('1.50 ms (cassandra 1.00, gateway 0.50)');
  });

  it('reads the stack pids npm run bench hands over, skipping malformed ones', () => {
    expect(stackPids({ CONCORD_BENCH_STACK_PIDS: 'nats-server:12,cassandra:34,bad:x' })).toEqual([{ name: 'nats-server', pid: 12 }, { name: 'cassandra', pid: 34 }]);
    expect(stackPids({})).toEqual([]);
  });

  it('reads this process’s CPU time, and nothing for a process that is not there', () => {
    expect(cpuSecondsOf(process.pid)).toBeGreaterThanOrEqual(0);
    expect(cpuSecondsOf(2 ** 30)).toBeUndefined();
  });
});
