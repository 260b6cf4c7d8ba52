/**
 * Request/reply between services (libs/bus rpc.ts) against the real nats-server: answers, the
 * order of calls with one key, the bound on calls in hand, failures answered, a stop that
 * answers what it holds.
 */
import { Bus, call, responder, rpc } from '@concord/bus';
import { createLogger } from '@concord/log';
import { concord } from '@concord/proto';
import { requireStack, testConfig, uniqueName } from '../support/stack';

const v1 = concord.events.v1;
/** A test call on its own subject, with the roster query's message types. */
const Echo = rpc('echo', (n) => `${n.prefix}.test.echo`, v1.RosterQueryRequest, v1.RosterQueryResponse);

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('bus request/reply', () => {
  requireStack();
  const cfg = testConfig(uniqueName('rpc'));
  const log = createLogger('test', 'silent');
  let bus: Bus;

  beforeAll(async () => {
    bus = await Bus.connect({ servers: cfg.natsUrls, name: 'rpc-test', prefix: cfg.busPrefix, log });
  });

  afterAll(() => bus.close());

  const ask = (account: string, iqXml = '') => call(bus, Echo, v1.RosterQueryRequest.fromPartial({ account, iqXml }), 5_000);

  it('answers calls of one key in arrival order, other keys side by side', async () => {
    const gates = new Map([['alice-1', deferred()], ['bob-1', deferred()]]);
    const answered: string[] = [];
    const r = responder(bus, Echo, {
      queue: 'test', orderKey: (req) => req.account.split('-')[0]!, log,
      async answer(req) {
        await gates.get(req.account)?.promise;
        answered.push(req.account);
        return { stanzas: [req.account] };
      },
      failed: () => ({ stanzas: [] }),
    });
    await r.start();
    try {
      const calls = ['alice-1', 'alice-2', 'bob-1', 'carol-1'].map((a) => ask(a));
      // carol is not held by anyone; alice-2 waits for alice-1, which is held.
      expect((await calls[3]!).stanzas).toEqual(['carol-1']);
      expect(answered).toEqual(['carol-1']);
      gates.get('bob-1')!.resolve();
      expect((await calls[2]!).stanzas).toEqual(['bob-1']);
      gates.get('alice-1')!.resolve();
      expect((await Promise.all(calls)).map((a) => a.stanzas[0])).toEqual(['alice-1', 'alice-2', 'bob-1', 'carol-1']);
      expect(answered).toEqual(['carol-1', 'bob-1', 'alice-1', 'alice-2']);
    } finally {
      await r.stop();
    }
  });

  it('answers at most maxInFlight calls at once, and a failed one with the failure answer', async () => {
    let running = 0;
    let most = 0;
    const r = responder(bus, Echo, {
      queue: 'test', maxInFlight: 3, log,
      async answer(req) {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
        if (req.iqXml === 'fail') throw new Error('boom');
        return { stanzas: ['ok'] };
      },
      failed: (req) => ({ stanzas: [`failed ${req.account}`] }),
    });
    await r.start();
    try {
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => ask(`a${i}`, i === 5 ? 'fail' : '')));
      expect(most).toBe(3);
      expect(answers.map((a) => a.stanzas[0])).toEqual(Array.from({ length: 12 }, (_, i) => (i === 5 ? 'failed a5' : 'ok')));
    } finally {
      await r.stop();
    }
  });

  it('answers what it holds before its stop resolves', async () => {
    const gate = deferred();
    const started = deferred();
    const r = responder(bus, Echo, {
      queue: 'test', log,
      async answer() {
        started.resolve();
        await gate.promise;
        return { stanzas: ['late'] };
      },
      failed: () => ({ stanzas: [] }),
    });
    await r.start();
    const pending = ask('x');
    await started.promise;
    let stopped = false;
    const stopping = r.stop().then(() => (stopped = true));
    // The subscription drains (a round trip to the server); the call in hand still holds the stop.
    await bus.nc.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect((await pending).stanzas).toEqual(['late']);
  });

  it('rejects a call nobody serves', async () => {
    await expect(ask('nobody')).rejects.toThrow();
  });
});
