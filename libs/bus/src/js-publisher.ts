import type { PubAck } from '@nats-io/jetstream';
import { createInbox, headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/** JetStream's de-duplication header. */
const MSG_ID_HEADER = 'Nats-Msg-Id';

/** How long a publish waits for JetStream's PubAck (nats.js's default for JetStream calls). */
export const PUBLISH_TIMEOUT_MS = 5_000;

const SWEEP_INTERVAL_MS = 250;

export interface PublishRequest {
  headers?: MsgHdrs;
  msgID?: string;
}

/** What publishing an event needs: a JetStream publish resolving with its PubAck. */
export interface EventPublisher {
  publish(subject: string, data: Uint8Array, opts?: PublishRequest): Promise<PubAck>;
}

interface Waiting {
  resolve(ack: PubAck): void;
  reject(err: Error): void;
  subject: string;
  deadline: number;
  /** Kept to publish again after a reconnection: only with a message ID (JetStream stores it once). */
  again?: { data: Uint8Array; headers: MsgHdrs | undefined };
}

/**
 * JetStream publishing over one wildcard reply subscription. nats.js's js.publish makes every
 * publish a request object with its own timer, and disposing of that object builds an Error
 * with a stack trace even when the request succeeded: at thousands of publishes a second that
 * was a tenth of a service's CPU. Here a publish is a core publish with a reply subject under
 * one inbox, answered through a map, and one interval times out what JetStream never answered.
 */
export class JsPublisher implements EventPublisher {
  private readonly inbox = `${createInbox()}.`;
  private readonly waiting = new Map<string, Waiting>();
  private readonly sub: Subscription;
  private readonly sweep: NodeJS.Timeout;
  private next = 0;

  constructor(private readonly nc: NatsConnection, onReconnect: (listener: () => void) => void, private readonly timeoutMs = PUBLISH_TIMEOUT_MS) {
    this.sub = nc.subscribe(`${this.inbox}*`, { callback: (_err, msg) => this.answer(msg) });
    this.sweep = setInterval(() => this.expire(Date.now()), SWEEP_INTERVAL_MS);
    this.sweep.unref();
    void this.sub.closed.then(() => this.close());
    onReconnect(() => this.publishAgain());
  }

  /**
   * A server that died after taking a publish never answers it: once connected again (to it
   * restarted, or to another), what still waits and carries a message ID is published again at
   * once, instead of after the timeout, which every later ack of its stream would wait behind.
   */
  private publishAgain(): void {
    const deadline = Date.now() + this.timeoutMs;
    for (const [token, w] of this.waiting) {
      if (!w.again) continue;
      w.deadline = deadline;
      this.nc.publish(w.subject, w.again.data, { reply: this.inbox + token, ...(w.again.headers ? { headers: w.again.headers } : {}) });
    }
  }

  publish(subject: string, data: Uint8Array, opts: PublishRequest = {}): Promise<PubAck> {
    if (this.nc.isClosed()) return Promise.reject(new Error(`cannot publish to ${subject}: the NATS connection is closed`));
    const token = (this.next++).toString(36);
    const headers = opts.headers ?? (opts.msgID ? natsHeaders() : undefined);
    if (opts.msgID) headers!.set(MSG_ID_HEADER, opts.msgID);
    return new Promise<PubAck>((resolve, reject) => {
      this.waiting.set(token, { resolve, reject, subject, deadline: Date.now() + this.timeoutMs, ...(opts.msgID ? { again: { data, headers } } : {}) });
      try {
        this.nc.publish(subject, data, { reply: this.inbox + token, ...(headers ? { headers } : {}) });
      } catch (err) {
        this.waiting.delete(token);
        reject(err as Error);
      }
    });
  }

  /** Rejects whatever still waits (the connection is closing). */
  close(): void {
    clearInterval(this.sweep);
    for (const [token, w] of this.waiting) {
      this.waiting.delete(token);
      w.reject(new Error(`publish to ${w.subject}: the NATS connection closed before JetStream answered`));
    }
  }

  private answer(msg: Msg): void {
    const token = msg.subject.slice(this.inbox.length);
    const w = this.waiting.get(token);
    if (!w) return; // timed out already
    this.waiting.delete(token);
    const outcome = parsePubAck(msg, w.subject);
    if (outcome instanceof Error) w.reject(outcome);
    else w.resolve(outcome);
  }

  private expire(now: number): void {
    for (const [token, w] of this.waiting) {
      if (w.deadline > now) continue;
      this.waiting.delete(token);
      w.reject(new Error(`publish to ${w.subject}: JetStream did not answer within ${this.timeoutMs} ms`));
    }
  }
}

/** JetStream's answer to a publish: its PubAck, or why it refused (as an Error). */
export function parsePubAck(msg: Pick<Msg, 'data' | 'headers'>, subject: string): PubAck | Error {
  if (msg.data.length === 0) {
    const code = msg.headers?.code ?? 0;
    return new Error(code === 503 ? `publish to ${subject}: no JetStream stream takes this subject` : `publish to ${subject}: empty answer (status ${code})`);
  }
  let v: { stream?: string; seq?: number; duplicate?: boolean; domain?: string; error?: { code?: number; err_code?: number; description?: string } };
  try {
    v = JSON.parse(Buffer.from(msg.data).toString('utf8'));
  } catch {
    return new Error(`publish to ${subject}: JetStream's answer is not JSON`);
  }
  if (v.error) return new Error(`publish to ${subject}: ${v.error.description ?? 'JetStream error'} (${v.error.code ?? '?'}/${v.error.err_code ?? '?'})`);
  if (!v.stream || typeof v.seq !== 'number') return new Error(`publish to ${subject}: invalid PubAck`);
  return { stream: v.stream, seq: v.seq, duplicate: v.duplicate === true, domain: v.domain ?? '' };
}
