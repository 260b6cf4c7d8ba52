import type { Socket } from 'node:net';
import type { NatsConnection } from '@nats-io/transport-node';

const COALESCED = Symbol('concord.coalesced');

type Coalescible = Socket & { [COALESCED]?: true };

/**
 * Coalesces the connection's socket writes within one turn of the event loop. nats.js flushes
 * its outgoing buffer on every microtask that wrote to it; with hundreds of events handled
 * concurrently (each ack, publish and pull its own flush) the write system calls on loopback
 * took a fifth of a busy service's CPU. Corking until setImmediate sends a turn's worth in one
 * write, a fraction of a millisecond later.
 *
 * It reaches into nats.js's transport (not public API), so it checks what it finds and does
 * nothing when the layout differs. Called again after a reconnect (a new socket).
 */
export function coalesceSocketWrites(nc: NatsConnection): boolean {
  const socket = (nc as unknown as { protocol?: { transport?: { socket?: unknown } } }).protocol?.transport?.socket as Coalescible | undefined;
  if (!socket || typeof socket.cork !== 'function' || typeof socket.uncork !== 'function' || typeof socket.write !== 'function') return false;
  if (socket[COALESCED]) return true;
  socket[COALESCED] = true;
  const write = socket.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function coalescedWrite(this: Socket, ...args: Parameters<Socket['write']>) {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return write.apply(this, args);
  } as Socket['write'];
  return true;
}
