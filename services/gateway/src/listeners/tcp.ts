import { createServer, type Server, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { ParserLimits } from '@concord/xml';
import { TcpTransport } from '../transport/tcp-transport';
import type { Transport } from '../transport/transport';

export interface Listener {
  readonly port: number;
  /** Stop accepting; open connections are the caller's to close. */
  close(): Promise<void>;
}

export interface ListenOptions {
  host: string;
  port: number;
  secureContext: SecureContext;
  limits: ParserLimits;
  /** Admission control (connections per address): a release for the connection, or undefined to refuse it. */
  admit(remoteAddress: string): (() => void) | undefined;
  accept(transport: Transport): void;
}

function listen(server: Server, host: string, port: number, what: string): Promise<Listener> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new Error(`${what} port ${host}:${port} is already in use`) : err));
    server.listen(port, host, () => resolve({
      port: (server.address() as AddressInfo).port,
      close: () => new Promise<void>((r) => server.close(() => r())),
    }));
  });
}

/**
 * Counts a new TCP connection against its address from its first moment (before any TLS
 * handshake or WebSocket upgrade); undefined when refused (the socket is destroyed).
 */
export function admitSocket(o: Pick<ListenOptions, 'admit'>, socket: Socket): (() => void) | undefined {
  const release = o.admit(socket.remoteAddress ?? '');
  if (!release) {
    socket.destroy();
    return undefined;
  }
  socket.once('close', release);
  return release;
}

function listenTcpOrTls(o: ListenOptions, directTls: boolean, what: string): Promise<Listener> {
  const server = createServer({ noDelay: true }, (socket: Socket) => {
    const release = admitSocket(o, socket);
    if (release) o.accept(new TcpTransport(socket, { secureContext: o.secureContext, limits: o.limits, directTls, release }));
  });
  return listen(server, o.host, o.port, what);
}

/** RFC 6120 client port (5222): plain TCP with STARTTLS. */
export function listenTcp(o: ListenOptions): Promise<Listener> {
  return listenTcpOrTls(o, false, 'XMPP');
}

/** XEP-0368 direct TLS port (5223): the same TCP listener, TLS from the first byte. */
export function listenDirectTls(o: ListenOptions): Promise<Listener> {
  return listenTcpOrTls(o, true, 'XMPP direct TLS');
}
