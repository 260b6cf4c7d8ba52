/**
 * Connections per address over real sockets: a connection holds its address's slot from its
 * first TCP moment (before a TLS handshake or a WebSocket upgrade) until it is gone, however it
 * ends, including after STARTTLS; direct TLS (XEP-0368) serves the certificate; connections that
 * never finish a handshake or an upgrade are closed by the server.
 */
import { connect, type Socket } from 'node:net';
import { startConcord, type RunningConcord } from '../support/concord';
import { RawClient } from '../support/raw-client';
import { requireStack } from '../support/stack';

const LIMIT = 5;

/** A plain TCP connection that sends nothing; resolves once connected. */
function silent(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves when the server closes the socket, with whatever it wrote first. */
function closedByServer(s: Socket, timeoutMs: number): Promise<string> {
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString('latin1')));
  s.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the server kept the connection open for ${timeoutMs} ms`)), timeoutMs);
    s.once('close', () => {
      clearTimeout(t);
      resolve(text);
    });
  });
}

/** The address has room again: a new connection gets a stream. */
async function served(concord: RunningConcord): Promise<void> {
  const c = await RawClient.connect(concord.ports.tcp);
  c.openStream(concord.domain);
  await c.waitFor(/<\/stream:features>/);
  c.end();
  await c.waitClosed();
}

describe('gateway connections per address', () => {
  requireStack();
  let concord: RunningConcord;

  beforeAll(async () => {
    concord = await startConcord('gwconnlimits', { CONCORD_GATEWAY_MAX_CONNECTIONS_PER_IP: String(LIMIT) });
  }, 60_000);

  afterAll(async () => {
    await concord.stop();
  });

  it('gives the slot back after STARTTLS connections end (more of them than the limit)', async () => {
    for (let i = 0; i < LIMIT * 3; i++) {
      const c = await RawClient.connect(concord.ports.tcp);
      await c.startTls(concord.domain);
      c.end();
      await c.waitClosed();
    }
    await served(concord);
  });

  it('serves its certificate and a stream on the direct TLS port', async () => {
    const c = await RawClient.connectTls(concord.ports.tls, concord.domain);
    c.openStream(concord.domain);
    const features = await c.waitFor(/<\/stream:features>/);
    expect(features).toMatch(/<mechanisms xmlns=['"]urn:ietf:params:xml:ns:xmpp-sasl['"]/);
    expect(features).not.toMatch(/<starttls/);
    c.end();
    await c.waitClosed();
  });

  it.each([
    ['a TLS handshake never started on the direct TLS port', 'tls'],
    ['a WebSocket upgrade never asked for', 'ws'],
  ] as const)('counts %s against the address, and the server closes it', async (_what, port) => {
    const held = await Promise.all(Array.from({ length: LIMIT }, () => silent(concord.ports[port])));
    const closing = held.map((s) => closedByServer(s, 30_000));
    // The address is at its limit: the next connection is refused at once (on the same port, so
    // that the server has taken the held ones first).
    const refused = await silent(concord.ports[port]);
    try {
      expect(await closedByServer(refused, 5_000)).toBe('');
      // The server gives up on each held connection by itself.
      await Promise.all(closing);
    } finally {
      for (const s of [...held, refused]) s.destroy();
    }
    await served(concord);
  }, 60_000);
});
