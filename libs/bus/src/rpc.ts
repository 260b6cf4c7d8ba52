/**
 * Request/reply between services over core NATS, declared once per call: its subject and both
 * protobuf message types. Callers `call`; the serving service runs a `responder`, one of a queue
 * group so that every instance shares the calls and each call is answered by one.
 */
import type { Msg, Subscription } from '@nats-io/transport-node';
import type { Logger } from '@concord/log';
import type { Bus } from './bus';
import type { MessageFns } from './codec';
import { Limiter } from './limiter';
import type { BusNames } from './names';

export interface RpcDecl<Req, Res> {
  /** For logs. */
  readonly name: string;
  subject(names: BusNames): string;
  readonly request: MessageFns<Req>;
  readonly response: MessageFns<Res>;
}

export function rpc<Req, Res>(name: string, subject: (names: BusNames) => string, request: MessageFns<Req>, response: MessageFns<Res>): RpcDecl<Req, Res> {
  return { name, subject, request, response };
}

/** Asks and decodes the answer; rejects when nobody answers within `timeoutMs` (or nobody serves the call). */
export async function call<Req, Res>(bus: Bus, decl: RpcDecl<Req, Res>, req: Req, timeoutMs: number): Promise<Res> {
  const reply = await bus.nc.request(decl.subject(bus.names), decl.request.encode(req).finish(), { timeout: timeoutMs });
  return decl.response.decode(reply.data);
}

export interface ResponderOptions<Req, Res> {
  /** The queue group: the service's name. */
  queue: string;
  answer(req: Req): Promise<Res>;
  /** The answer when `answer` threw (after logging it), so that the caller is not left to time out. */
  failed(req: Req, err: Error): Res;
  /** Calls with the same key are answered in the order they arrived; calls of different keys side by side. */
  orderKey?(req: Req): string;
  /** Most calls being answered at once by this instance (default: no bound). */
  maxInFlight?: number;
  log: Logger;
}

/** Serves one call; `stop` stops taking calls and waits for those in hand to be answered. */
export function responder<Req, Res>(bus: Bus, decl: RpcDecl<Req, Res>, o: ResponderOptions<Req, Res>): { name: string; start(): Promise<void>; stop(): Promise<void> } {
  let sub: Subscription | undefined;
  let loop: Promise<void> | undefined;
  const limiter = o.maxInFlight === undefined ? undefined : new Limiter(o.maxInFlight);
  const chains = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();

  const answer = async (m: Msg, req: Req): Promise<void> => {
    let res: Res;
    try {
      res = await (limiter ? limiter.run(() => o.answer(req)) : o.answer(req));
    } catch (err) {
      o.log.error({ err: (err as Error).message, call: decl.name }, 'request failed');
      res = o.failed(req, err as Error);
    }
    m.respond(decl.response.encode(res).finish());
  };

  const take = (m: Msg) => {
    let req: Req;
    try {
      req = decl.request.decode(m.data);
    } catch {
      o.log.warn({ call: decl.name, subject: m.subject }, 'undecodable request ignored (its caller times out)');
      return;
    }
    const key = o.orderKey?.(req);
    const after = key === undefined ? undefined : chains.get(key);
    const run = (after ? after.then(() => answer(m, req)) : answer(m, req)).catch((err: Error) => o.log.error({ err: err.message, call: decl.name }, 'could not answer a request'));
    if (key !== undefined) chains.set(key, run);
    inFlight.add(run);
    void run.finally(() => {
      inFlight.delete(run);
      if (key !== undefined && chains.get(key) === run) chains.delete(key);
    });
  };

  return {
    name: decl.name,
    async start() {
      const s = bus.nc.subscribe(decl.subject(bus.names), { queue: o.queue });
      sub = s;
      loop = (async () => {
        for await (const m of s) take(m);
      })();
    },
    async stop() {
      await sub?.drain();
      await loop;
      await Promise.all(inFlight);
    },
  };
}
