import { WritesInFlight } from './writes-in-flight';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('WritesInFlight', () => {
  it('settles once every write of the key tracked before has settled, failures included', async () => {
    const w = new WritesInFlight();
    const a = deferred();
    const b = deferred();
    w.track('alice', a.promise);
    w.track('alice', b.promise).catch(() => undefined);
    let settled = false;
    const barrier = w.settled('alice').then(() => (settled = true));
    a.resolve();
    await a.promise;
    expect(settled).toBe(false);
    b.reject(new Error('write failed'));
    await barrier;
    expect(settled).toBe(true);
    expect(w.keys).toBe(0);
  });

  it('does not wait for other keys, nor for writes tracked after the call', async () => {
    const w = new WritesInFlight();
    const bob = deferred();
    w.track('bob', bob.promise);
    await w.settled('alice');
    const bobsSoFar = w.settled('bob');
    const later = deferred();
    bob.resolve();
    w.track('bob', later.promise);
    await bobsSoFar;
    expect(w.keys).toBe(1);
    later.resolve();
  });
});
