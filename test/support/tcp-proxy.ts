import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the shared Cassandra or nats-server that a test can fail without
 * touching the one everyone else uses: `stall()` holds every byte in both directions (what a
 * SIGSTOPped server looks like: connections stay open, nothing answers), `down()` drops every
 * connection and refuses new ones, `heal()` forwards again (held bytes first).
 */
export interface TcpProxy {
  /** host:port to give the services instead of the target's. */
  readonly address: string;
  stall(): void;
  down(): void;
  heal(): Promise<void>;
  close(): Promise<void>;
}

interface Pipe {
  client: Socket;
  upstream: Socket;
  held: { to: Socket; data: Buffer }[];
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, port] = target.split(':') as [string, string];
  let mode: 'pass' | 'stall' | 'down' = 'pass';
  const pipes = new Set<Pipe>();
  const forward = (p: Pipe, to: Socket) => (data: Buffer) => {
    if (mode === 'stall') p.held.push({ to, data });
    else to.write(data);
  };
  const server: Server = createServer((client) => {
    if (mode === 'down') return void client.destroy();
    const upstream = connect(Number(port), host);
    const p: Pipe = { client, upstream, held: [] };
    pipes.add(p);
    client.on('data', forward(p, upstream));
    upstream.on('data', forward(p, client));
    const end = () => {
      pipes.delete(p);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as { port: number };
  const listen = () => new Promise<void>((resolve) => server.listen(own, '127.0.0.1', resolve));
  // Not listening while down, so that a connection is refused as by a stopped server.
  const down = () => {
    if (mode !== 'down') server.close();
    mode = 'down';
    for (const p of pipes) {
      p.client.destroy();
      p.upstream.destroy();
    }
    pipes.clear();
  };
  return {
    address: `127.0.0.1:${own}`,
    stall: () => void (mode = 'stall'),
    down,
    async heal() {
      const wasDown = mode === 'down';
      mode = 'pass';
      for (const p of pipes) for (const h of p.held.splice(0)) h.to.write(h.data);
      if (wasDown) await listen();
    },
    close: async () => down(),
  };
}
