import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { WsTransport } from '../transport/ws-transport';
import type { ListenOptions, Listener } from './tcp';

export const WEBSOCKET_PATH = '/xmpp-websocket';
const SUBPROTOCOL = 'xmpp';

/**
 * RFC 7395 WebSocket endpoint. Plain ws:// here; deployments put TLS in front (a load
 * balancer), which is why a connection from it counts as secure only when configured so.
 */
export function listenWebSocket(o: ListenOptions & { secureBehindProxy: boolean }): Promise<Listener> {
  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end(`XMPP over WebSocket lives at ${WEBSOCKET_PATH} (subprotocol "${SUBPROTOCOL}")\n`);
  });
  const wss = new WebSocketServer({
    server: http,
    path: WEBSOCKET_PATH,
    maxPayload: o.limits.maxStanzaBytes,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  wss.on('connection', (ws, req) => {
    const remote = req.socket.remoteAddress ?? '';
    if (ws.protocol !== SUBPROTOCOL) return ws.close(1002, 'subprotocol xmpp required');
    if (!o.admit(remote, (cb) => ws.once('close', cb))) return ws.terminate();
    o.accept(new WsTransport(ws, remote, o.secureBehindProxy, o.limits));
  });
  return new Promise((resolve, reject) => {
    http.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new Error(`WebSocket port ${o.host}:${o.port} is already in use`) : err));
    http.listen(o.port, o.host, () => resolve({
      port: (http.address() as AddressInfo).port,
      close: () => new Promise<void>((r) => {
        wss.close();
        http.close(() => r());
        http.closeAllConnections();
      }),
    }));
  });
}
