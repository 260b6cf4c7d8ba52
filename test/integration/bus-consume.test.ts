/**
 * Messages a consumer holds stay its own: a message that waits in hand longer than the ack
 * wait (here: behind a slow one of the same account) is kept alive, not redelivered, so the
 * server's ack floor never passes a message the process is still going to handle.
 */
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { Bus, consumeEvents, ack, publishEvent } from '@concord/bus';
import { HistoryEventType } from '@concord/events';
import { createLogger } from '@concord/log';
import { concord } from '@concord/proto';
import { dropBus, eventually, requireStack, testConfig, uniqueName } from '../support/stack';

const ACK_WAIT_MS = 3_000;

describe('consumer messages in hand', () => {
  requireStack();
  const cfg = testConfig(uniqueName('consume'));
  let bus: Bus;

  beforeAll(async () => {
    bus = await Bus.connect({ servers: cfg.natsUrls, name: 'consume-test', prefix: cfg.busPrefix, partitions: 4, log: createLogger('test', 'warn') });
    await bus.ensure();
  });

  afterAll(async () => {
    await bus.close();
    await dropBus(cfg);
  });

  it('are kept alive past the ack wait and max_deliver, handled once each, in order', async () => {
    const stream = bus.names.stream('history');
    await bus.jsm.consumers.add(stream, {
      durable_name: 'slow', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
      ack_wait: ACK_WAIT_MS * 1e6, max_deliver: 2,
    });
    const subject = bus.names.subjects.history(1);
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const event = concord.events.v1.HistoryEvent.fromPartial({ owner: 'a@localhost', archiveId: `slow-${i}` });
      seqs.push((await publishEvent(bus.publisher, subject, HistoryEventType, event, { msgId: `slow:${i}`, account: 'a@localhost' })).seq);
    }
    const handled: number[] = [];
    let allHandled!: () => void;
    const finished = new Promise<void>((r) => (allHandled = r));
    const running = await consumeEvents(bus.js, HistoryEventType, {
      stream, durable: 'slow', log: createLogger('test', 'warn'), inOrder: { maxAttempts: 3 },
      lanes: { keyOf: (_s, account) => account ?? '', maxInFlight: 16 },
    }, async ({ streamSeq }) => {
      // The first one takes longer than max_deliver x ack_wait; the others wait behind it.
      if (streamSeq === seqs[0]) await new Promise((r) => setTimeout(r, 3 * ACK_WAIT_MS));
      handled.push(streamSeq);
      if (handled.length === seqs.length) allHandled();
      return ack;
    });
    await finished;
    await running.stop();
    expect(handled).toEqual(seqs);
    // Acks are processed by the server after they are sent: wait for the last one to count.
    const info = await eventually(async () => {
      const i = await bus.jsm.consumers.info(stream, 'slow');
      return i.ack_floor.stream_seq === seqs[2] ? i : undefined;
    }, 10_000, 'every message acked');
    expect(info.num_redelivered).toBe(0);
  }, 30_000);

  it('let a lane go on, and a waiting message free its slot, before they finish', async () => {
    const stream = bus.names.stream('history');
    const subject = bus.names.subjects.history(2);
    await bus.jsm.consumers.add(stream, { durable_name: 'release', filter_subject: subject, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: ACK_WAIT_MS * 1e6 });
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const event = concord.events.v1.HistoryEvent.fromPartial({ owner: 'b@localhost', archiveId: `release-${i}` });
      seqs.push((await publishEvent(bus.publisher, subject, HistoryEventType, event, { msgId: `release:${i}`, account: 'b@localhost' })).seq);
    }
    const started: number[] = [];
    const finished: number[] = [];
    let thirdStarted!: () => void;
    const third = new Promise<void>((r) => (thirdStarted = r));
    // One lane, two slots: the first message lets its lane go on and keeps its slot, the second
    // waits outside its slot; the third could not start if either kept what it let go.
    const running = await consumeEvents(bus.js, HistoryEventType, {
      stream, durable: 'release', log: createLogger('test', 'warn'), inOrder: { maxAttempts: 3 },
      lanes: { keyOf: (_s, account) => account ?? '', maxInFlight: 2 },
    }, async ({ streamSeq, letLaneGoOn, stepAside }) => {
      started.push(streamSeq);
      if (streamSeq === seqs[0]) {
        letLaneGoOn();
        await third;
      } else if (streamSeq === seqs[1]) {
        stepAside();
        await third;
      } else {
        thirdStarted();
      }
      finished.push(streamSeq);
      return ack;
    });
    await eventually(async () => (finished.length === 3 ? true : undefined), 10_000, 'all three handled');
    await running.stop();
    expect(started).toEqual(seqs);
    expect(finished[0]).toBe(seqs[2]);
    expect(new Set(finished)).toEqual(new Set(seqs));
  }, 30_000);
});
