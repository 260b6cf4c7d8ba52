import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { httpPortOf, SERVICE_HTTP_PORTS, type ServiceName } from '@concord/runtime';
import { ROOT } from './paths';
import { sleep } from './proc';
import { note, step } from './progress';

export const SERVICES = Object.keys(SERVICE_HTTP_PORTS) as ServiceName[];

interface Child {
  label: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * Runs services as child processes: output prefixed by service, no silent restarts (a service
 * that dies stops everything with a loud message), a clean stop of every child on request.
 */
export class Supervisor {
  private readonly children: Child[] = [];
  private stopping = false;
  /** Resolves with a reason when a child exits on its own. */
  readonly failed: Promise<string>;
  private fail!: (reason: string) => void;

  constructor(private readonly env: NodeJS.ProcessEnv) {
    this.failed = new Promise((resolve) => (this.fail = resolve));
  }

  spawn(label: string, script: string): void {
    const proc = spawn(process.execPath, ['--enable-source-maps', script], { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [proc.stdout!, proc.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${label}] ${line}\n`));
    }
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
    void exited.then((code) => {
      if (!this.stopping) this.fail(`${label} exited on its own with code ${code}; stopping everything (no silent restarts)`);
    });
    this.children.push({ label, proc, exited });
  }

  startServices(mode: 'services' | 'all-in-one'): void {
    if (mode === 'all-in-one') {
      this.spawn('all-in-one', join(ROOT, 'infra', 'dist', 'all-in-one.js'));
      return;
    }
    for (const s of SERVICES) this.spawn(s, join(ROOT, 'services', s, 'dist', 'main.js'));
  }

  /** SIGTERM to every child, SIGKILL to any still alive after the grace period. */
  async stop(graceMs = 20_000): Promise<void> {
    this.stopping = true;
    await Promise.all(this.children.map(async (c) => {
      if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
      c.proc.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        c.exited.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        note(`${c.label} did not stop within ${graceMs / 1000}s: killing it`);
        c.proc.kill('SIGKILL');
        await c.exited;
      }
    }));
  }
}

/** Waits until every service's /readyz answers 200. */
export async function waitServicesReady(env: NodeJS.ProcessEnv, timeoutMs: number, failed: Promise<string>): Promise<void> {
  await step('waiting for the five services to be ready', async () => {
    const deadline = Date.now() + timeoutMs;
    const pending = new Set<ServiceName>(SERVICES);
    let failure: string | undefined;
    void failed.then((r) => (failure = r));
    while (pending.size > 0) {
      if (failure) throw new Error(failure);
      if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs / 1000}s: ${[...pending].join(', ')}`);
      for (const s of [...pending]) {
        const ok = await fetch(`http://127.0.0.1:${httpPortOf(s, env)}/readyz`).then((r) => r.ok, () => false);
        if (ok) pending.delete(s);
      }
      if (pending.size > 0) await sleep(250);
    }
  });
}
