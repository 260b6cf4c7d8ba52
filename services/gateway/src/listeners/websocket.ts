import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { WsTransport } from '../transport/ws-transport';
import { admitSocket, type ListenOptions, type Listener } from './tcp';

export const WEBSOCKET_PATH = '/xmpp-websocket';
const SUBPROTOCOL = 'xmpp';

/**
 * Longest an HTTP connection may take to send its upgrade request (Node's defaults hold a silent
 * one for about 90 s). An upgraded WebSocket is no longer subject to it.
 */
const UPGRADE_REQUEST_MS = 10_000;

/**
 * RFC 7395 WebSocket endpoint. Plain ws:// here; deployments put TLS in front (a load
 * balancer), which is why a connection from it counts as secure only when configured so.
 */
export function listenWebSocket(o: ListenOptions & { secureBehindProxy: boolean }): Promise<Listener> {
  const http = createServer({ headersTimeout: UPGRADE_REQUEST_MS, requestTimeout: UPGRADE_REQUEST_MS, connectionsCheckingInterval: 1_000 }, (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end(`XMPP over WebSocket lives at ${WEBSOCKET_PATH} (subprotocol "${SUBPROTOCOL}")\n`);
  });
  const wss = new WebSocketServer({
    server: http,
    path: WEBSOCKET_PATH,
    maxPayload: o.limits.maxStanzaBytes,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  // Counted from the TCP connection, before any upgrade (released when its socket closes).
  http.on('connection', (socket) => admitSocket(o, socket));
  wss.on('connection', (ws, req) => {
    if (ws.protocol !== SUBPROTOCOL) return ws.close(1002, 'subprotocol xmpp required');
    o.accept(new WsTransport(ws, req.socket.remoteAddress ?? '', o.secureBehindProxy, o.limits));
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
