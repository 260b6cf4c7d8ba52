import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@concord/log';

/** A named readiness check: resolves true when the dependency answers. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

export interface HealthServerOptions {
  host: string;
  port: number;
  service: string;
  checks: ReadinessCheck[];
  metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  log: Logger;
}

export interface HealthServer {
  readonly port: number;
  /** Flip /readyz to 503 at once, e.g. when draining before shutdown. */
  setDraining(): void;
  close(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(c: ReadinessCheck): Promise<boolean> {
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CHECK_TIMEOUT_MS).unref());
  return Promise.race([c.check().catch(() => false), timeout]);
}

/**
 * /healthz: the process is alive (200). /readyz: every dependency answers (200, else 503, with a
 * JSON body naming each check). /metrics: Prometheus text format.
 */
export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  let draining = false;
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return json(res, 200, { service: opts.service, status: 'ok' });
    if (path === '/readyz') {
      void Promise.all(opts.checks.map(async (c) => [c.name, await runCheck(c)] as const)).then((results) => {
        const checks = Object.fromEntries(results);
        const ready = !draining && results.every(([, ok]) => ok);
        json(res, ready ? 200 : 503, { service: opts.service, ready, draining, checks });
      });
      return;
    }
    if (path === '/metrics' && opts.metricsHandler) return opts.metricsHandler(req, res);
    json(res, 404, { error: 'not found', paths: ['/healthz', '/readyz', '/metrics'] });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') {
      throw new Error(`${opts.service}: health port ${opts.host}:${opts.port} is already in use; set another with the service's *_HTTP_PORT variable`);
    }
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  opts.log.info({ port }, 'health server listening (/healthz /readyz /metrics)');
  return {
    port,
    setDraining: () => {
      draining = true;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
