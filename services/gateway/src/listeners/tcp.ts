import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type SecureContext, type TLSSocket } from 'node:tls';
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
  /** Admission control (connections per IP); false refuses the socket. */
  admit(remoteAddress: string, onClose: (cb: () => void) => void): boolean;
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

/** RFC 6120 client port (5222): plain TCP with STARTTLS. */
export function listenTcp(o: ListenOptions): Promise<Listener> {
  const server = createServer({ noDelay: true }, (socket: Socket) => {
    if (!o.admit(socket.remoteAddress ?? '', (cb) => socket.once('close', cb))) return socket.destroy();
    o.accept(new TcpTransport(socket, { secureContext: o.secureContext, limits: o.limits, directTls: false }));
  });
  return listen(server, o.host, o.port, 'XMPP');
}

/** XEP-0368 direct TLS port (5223). */
export function listenDirectTls(o: ListenOptions): Promise<Listener> {
  const server = createTlsServer({ secureContext: o.secureContext, ALPNProtocols: ['xmpp-client'] }, (socket: TLSSocket) => {
    if (!o.admit(socket.remoteAddress ?? '', (cb) => socket.once('close', cb))) return socket.destroy();
    socket.setNoDelay(true);
    o.accept(new TcpTransport(socket, { secureContext: o.secureContext, limits: o.limits, directTls: true }));
  });
  server.on('tlsClientError', () => undefined);
  return listen(server, o.host, o.port, 'XMPP direct TLS');
}
