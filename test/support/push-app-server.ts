import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookBody } from '@concord/push';

export interface PushCall {
  body: WebhookBody;
  idempotencyKey: string | undefined;
  /** What the server answered. */
  status: number;
}

/**
 * A push app server's webhook on a real HTTP server (node:http, any free port). It answers 200
 * unless told otherwise per node, and keeps every call so that a test can wait for one.
 */
export class PushAppServer {
  readonly calls: PushCall[] = [];
  private readonly scripted = new Map<string, number[]>();
  private readonly always = new Map<string, number>();
  private readonly waiters: (() => void)[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<PushAppServer> {
    let app: PushAppServer | undefined;
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => app!.answer(text, req.headers['idempotency-key'] as string | undefined, (status) => res.writeHead(status).end()));
    });
    app = new PushAppServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return app;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/notify`;
  }

  /** The next calls for `node` get these statuses, in order; then 200 again. */
  script(node: string, statuses: number[]): void {
    this.scripted.set(node, [...statuses]);
  }

  /** Every call for `node` gets `status`. */
  answerAlways(node: string, status: number): void {
    this.always.set(node, status);
  }

  forNode(node: string): PushCall[] {
    return this.calls.filter((c) => c.body.node === node);
  }

  private answer(text: string, idempotencyKey: string | undefined, respond: (status: number) => void): void {
    const body = JSON.parse(text) as WebhookBody;
    const status = this.always.get(body.node) ?? this.scripted.get(body.node)?.shift() ?? 200;
    this.calls.push({ body, idempotencyKey, status });
    respond(status);
    this.waiters.splice(0).forEach((w) => w());
  }

  /** Resolves with the first call (already made or to come) that matches. */
  async waitFor(match: (c: PushCall) => boolean, what: string, timeoutMs = 15_000): Promise<PushCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no push call for ${what} within ${timeoutMs}ms; calls: ${JSON.stringify(this.calls.map((c) => [c.body.node, c.status, c.body.summary]))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
