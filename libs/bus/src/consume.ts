import { backoffMs, sleep } from './backoff';
import { context as otContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { JetStreamClient, JsMsg, ConsumerMessages } from '@nats-io/jetstream';
import type { Logger } from '@concord/log';
import type { EventType } from './codec';
import { Header } from './headers';
import { SettledFloor } from './settled';
import { extractTrace } from './trace';

/** What a handler decided about one message. */
export type Verdict =
  | { kind: 'ack' }
  /** Try again later (a transient failure); redelivered after `delayMs`. */
  | { kind: 'retry'; delayMs: number; reason: string }
  /** Never deliver again (a poison message); logged with the reason. */
  | { kind: 'drop'; reason: string };

export const ack: Verdict = { kind: 'ack' };

export interface Delivered<T> {
  value: T;
  subject: string;
  /** Stream sequence: the message's position in its stream. */
  streamSeq: number;
  /** When the stream stored it (Unix milliseconds, the NATS server's clock). */
  storedAtMs: number;
  deliveryCount: number;
  msgId: string | undefined;
  /**
   * From here on, later messages of this lane may start while this one goes on (lanes only; it
   * keeps its slot). For work that commutes with what follows, e.g. a write at its own position:
   * if the handler then fails and is retried in place, it runs again after later messages.
   */
  letLaneGoOn(): void;
  /** From here on this message only waits (for something else): its lane goes on and its slot is free. */
  stepAside(): void;
}

/** How a handler lets its lane and its slot go before it has finished. */
interface Release {
  lane(): void;
  slot(): void;
}

export interface ConsumeOptions {
  stream: string;
  durable: string;
  log: Logger;
  /** Messages fetched ahead; the handler sees them one at a time. */
  batch?: number;
  /**
   * Keep the stream's order even when a handler fails: retry the same message in place (with
   * backoff, keeping it from being redelivered meanwhile) instead of letting later ones pass it.
   * After `maxAttempts` the message is dropped and logged.
   */
  inOrder?: { maxAttempts: number };
  /**
   * Handle messages of different lanes concurrently, each lane's in stream order. `keyOf` names
   * a message's lane from its subject and its account header (e.g. the account); at most
   * `maxInFlight` messages are handled at once (every message delivered is in hand and kept
   * alive; the consumer's max_ack_pending bounds how many). Without lanes, one at a time.
   */
  lanes?: { keyOf: (subject: string, account: string | undefined) => string; maxInFlight: number };
  /** Called when the settled floor advances: every delivered sequence up to it has been handled. */
  onSettled?: (floor: number) => void;
}

export interface RunningConsumer {
  /** Stops fetching, lets the messages being handled finish, hands the others back (nak), resolves when the loop has ended. */
  stop(): Promise<void>;
  /** Resolves when the loop ends for any reason. */
  readonly done: Promise<void>;
}

const tracer = () => trace.getTracer('@concord/bus');

/**
 * Reads a durable pull consumer in order (or in ordered lanes) and hands each decoded event to `handler` inside a
 * CONSUMER span continuing the producer's trace. Undecodable messages are dropped (terminated),
 * never redelivered forever; exceptions from the handler become a retry.
 */
export async function consumeEvents<T>(
  js: JetStreamClient,
  type: EventType<T>,
  opts: ConsumeOptions,
  handler: (event: Delivered<T>) => Promise<Verdict>,
): Promise<RunningConsumer> {
  const consumer = await js.consumers.get(opts.stream, opts.durable);
  const ackWaitMs = ((await consumer.info(true)).config.ack_wait ?? 30e9) / 1e6;
  const messages: ConsumerMessages = await consumer.consume({ max_messages: opts.batch ?? 256 });
  const floor = new SettledFloor(opts.onSettled);
  const inHand = new InHand();
  const heartbeat = setInterval(() => inHand.keepAlive(), Math.max(1_000, ackWaitMs / 3)).unref();
  let closing = false;
  const one = async (m: JsMsg, release: Release) => {
    if (closing) {
      // Stopping: a message not started yet goes back to the server at once (to whoever reads
      // next), and the settled floor does not pass it.
      m.nak();
      inHand.done(m, false);
      return;
    }
    try {
      // A copy of a message this process has already finished (redelivered while it was in
      // hand): the server has its verdict. Handling it again could write what was dropped.
      if (opts.inOrder && inHand.finished(m.seq)) m.ack();
      else await handleOne(m, type, opts, handler, release);
      inHand.done(m, true);
    } catch (err) {
      inHand.done(m, false);
      opts.log.error({ err, subject: m.subject, seq: m.seq }, 'event handling failed unexpectedly; it will be redelivered');
    } finally {
      floor.settled(m.seq);
    }
  };
  const done = (async () => {
    // Without lanes: one lane, one message at a time.
    const { keyOf, maxInFlight } = opts.lanes ?? { keyOf: () => '', maxInFlight: 1 };
    const tails = new Map<string, Promise<void>>();
    const inFlight = new Set<Promise<void>>();
    const slots = new Slots(maxInFlight);
    // Every message read is in hand at once (kept alive): one left waiting in the client's
    // buffer while the lanes are busy would be redelivered after the ack wait. What the server
    // hands out is bounded by the consumer's max_ack_pending; what runs at once, by maxInFlight.
    for await (const m of messages) {
      floor.started(m.seq);
      inHand.add(m);
      const key = keyOf(m.subject, m.headers?.has(Header.account) ? m.headers.get(Header.account) : undefined);
      let laneGoesOn!: () => void;
      // The lane's next message starts once this one is finished or lets it go on.
      const laneFree = new Promise<void>((resolve) => (laneGoesOn = resolve));
      const p: Promise<void> = (tails.get(key) ?? Promise.resolve()).then(() => slots.run((freeSlot) => one(m, {
        lane: laneGoesOn,
        slot: () => {
          laneGoesOn();
          freeSlot();
        },
      })));
      const tail = Promise.race([p, laneFree]);
      tails.set(key, tail);
      inFlight.add(p);
      void p.then(() => laneGoesOn());
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      void p.then(() => inFlight.delete(p));
    }
    await Promise.all(inFlight);
  })().finally(() => clearInterval(heartbeat));
  return {
    done,
    stop: async () => {
      closing = true;
      await messages.close();
      await done;
    },
  };
}

/** At most `max` tasks run at once; the others wait their turn, first come first served. */
class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  /** Runs `task` in a slot; the task may free its slot early (`free`, idempotent) and go on outside it. */
  async run(task: (free: () => void) => Promise<void>): Promise<void> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    let held = true;
    const free = () => {
      if (!held) return;
      held = false;
      // The slot passes straight to the next waiter (the count stays), or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
    try {
      await task(free);
    } finally {
      free();
    }
  }
}

/**
 * The messages fetched and not yet finished, waiting in a lane or being handled. They are kept
 * alive (+WPI) every third of the ack wait: without it, a message that waits longer than that
 * (behind a slow one of its account) is redelivered, and after max_deliver deliveries the
 * server gives up on it and its ack floor passes a message this process will still write.
 */
class InHand {
  private readonly messages = new Map<number, JsMsg[]>();
  /** Finished by this process while another delivery of it was still in hand. */
  private readonly finishedSeqs = new Set<number>();

  add(m: JsMsg): void {
    const copies = this.messages.get(m.seq);
    if (copies) copies.push(m);
    else this.messages.set(m.seq, [m]);
  }

  finished(seq: number): boolean {
    return this.finishedSeqs.has(seq);
  }

  /** `m` is finished (`final`: with its verdict given, not left for a redelivery). */
  done(m: JsMsg, final: boolean): void {
    const copies = (this.messages.get(m.seq) ?? []).filter((c) => c !== m);
    if (copies.length > 0) {
      this.messages.set(m.seq, copies);
      if (final) this.finishedSeqs.add(m.seq);
    } else {
      this.messages.delete(m.seq);
      this.finishedSeqs.delete(m.seq);
    }
  }

  keepAlive(): void {
    for (const copies of this.messages.values()) for (const m of copies) m.working();
  }
}

async function handleOne<T>(m: JsMsg, type: EventType<T>, opts: ConsumeOptions, handler: (e: Delivered<T>) => Promise<Verdict>, release: Release): Promise<void> {
  const parent = extractTrace(m.headers);
  const span = tracer().startSpan(`process ${type.name}`, {
    kind: SpanKind.CONSUMER,
    attributes: {
      'messaging.system': 'nats',
      'messaging.destination.name': m.subject,
      'messaging.nats.stream': opts.stream,
      'messaging.nats.consumer': opts.durable,
      'messaging.nats.sequence': m.seq,
    },
  }, parent);
  const log = opts.log;
  try {
    let value: T;
    try {
      value = type.fns.decode(m.data);
    } catch (err) {
      log.error({ err, subject: m.subject, seq: m.seq }, 'undecodable event dropped');
      m.term('undecodable');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'undecodable' });
      return;
    }
    const delivered: Delivered<T> = {
      value,
      subject: m.subject,
      streamSeq: m.seq,
      storedAtMs: Math.floor(m.info.timestampNanos / 1e6),
      deliveryCount: m.info.deliveryCount,
      msgId: m.headers?.has(Header.msgId) ? m.headers.get(Header.msgId) : undefined,
      letLaneGoOn: release.lane,
      stepAside: release.slot,
    };
    let verdict: Verdict | undefined;
    for (let attempt = 1; verdict === undefined; attempt++) {
      try {
        verdict = await otContext.with(trace.setSpan(parent, span), () => handler(delivered));
      } catch (err) {
        span.recordException(err as Error);
        // Counted over redeliveries too: an event that failed before waits longer each time.
        const backoff = backoffMs({ firstMs: 250, maxMs: 30_000 }, attempt + m.info.deliveryCount);
        if (!opts.inOrder) {
          verdict = { kind: 'retry', delayMs: backoff, reason: (err as Error).message };
        } else if (attempt >= opts.inOrder.maxAttempts) {
          verdict = { kind: 'drop', reason: `failed ${attempt} times: ${(err as Error).message}` };
        } else {
          log.warn({ subject: m.subject, seq: m.seq, attempt, reason: (err as Error).message }, 'event failed; retrying in place');
          m.working(); // keep the server from redelivering it while we wait
          await sleep(backoff);
        }
      }
    }
    applyVerdict(m, verdict, log);
    if (verdict.kind !== 'ack') span.setStatus({ code: SpanStatusCode.ERROR, message: verdict.reason });
  } finally {
    span.end();
  }
}

function applyVerdict(m: JsMsg, v: Verdict, log: Logger): void {
  switch (v.kind) {
    case 'ack':
      m.ack();
      return;
    case 'retry':
      log.warn({ subject: m.subject, seq: m.seq, delivery: m.info.deliveryCount, reason: v.reason }, 'event will be retried');
      m.nak(v.delayMs);
      return;
    case 'drop':
      log.error({ subject: m.subject, seq: m.seq, reason: v.reason }, 'event dropped');
      m.term(v.reason);
      return;
  }
}
