import { KeyedQueue } from './keyed-queue';

describe('KeyedQueue', () => {
  it('runs tasks of one key in turn, other keys alongside, past failures', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a1 = q.run('a', async () => {
      log.push('a1 start');
      await gate;
      log.push('a1 end');
      throw new Error('a1 failed');
    });
    const a2 = q.run('a', async () => log.push('a2'));
    const b1 = q.run('b', async () => log.push('b1'));
    await b1;
    expect(log).toEqual(['a1 start', 'b1']);
    release();
    await expect(a1).rejects.toThrow('a1 failed');
    await a2;
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });
});
