/**
 * Service processes for benchmarks: started from their built `dist/main.js` on the bench's own
 * bus prefix and keyspace, waited for through /readyz, stopped with SIGTERM (SIGKILL after a
 * bound), and the run's streams deleted afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bus } from '@concord/bus';

const ROOT = resolve(__dirname, '..', '..', '..');
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export type ServiceName = 'gateway' | 'router' | 'archive' | 'presence' | 'push';

/** Free TCP ports on 127.0.0.1, all distinct (the probe servers are held open together). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((ok, fail) => s.once('error', fail).listen(0, '127.0.0.1', ok));
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  exited: Promise<number | string>;
  /** Last output of the child (stdout and stderr) and how many lines it wrote. */
  tail(): string;
  lines(): number;
}


export function startService(name: ServiceName, env: NodeJS.ProcessEnv, nodeFlags: string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeFlags, resolve(ROOT, 'services', name, 'dist', 'main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let lines = 0;
  const keep = (d: Buffer) => {
    const text = d.toString('utf8');
    lines += text.split('\n').length - 1;
    tail = (tail + text).slice(-4_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | string>((r) => proc.once('exit', (code, signal) => r(code ?? signal ?? 'unknown')));
  if (proc.pid === undefined) throw new Error(`could not start the ${name}`);
  return { name, proc, pid: proc.pid, exited, tail: () => tail, lines: () => lines };
}

function httpStatus(url: string): Promise<number> {
  return new Promise((ok) => {
    const req = get(url, { agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => ok(0));
  });
}

/** Polls /readyz until 200; fails with the child's output if it exits or the timeout passes. */
export async function waitReady(child: Child, httpPort: number): Promise<void> {
  const url = `http://127.0.0.1:${httpPort}/readyz`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exit: number | string | undefined;
  void child.exited.then((e) => (exit = e));
  for (;;) {
    if (exit !== undefined) throw new Error(`the ${child.name} exited (${exit}) before it was ready:\n${child.tail()}`);
    const status = await httpStatus(url);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`the ${child.name} was not ready within ${READY_TIMEOUT_MS / 1000}s (${url} answered ${status || 'nothing'}):\n${child.tail()}`);
    await sleep(200);
  }
}

/** SIGTERM, then SIGKILL if it has not exited in time; returns how it ended. */
export async function stopService(child: Child): Promise<string> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return `had already exited (${child.proc.exitCode ?? child.proc.signalCode})`;
  child.proc.kill('SIGTERM');
  // Unreferenced, so that a pending timer does not keep the bench alive once the child is gone.
  const timer = sleep(STOP_TIMEOUT_MS, 'timeout' as const, { ref: false });
  const how = await Promise.race([child.exited, timer]);
  if (how !== 'timeout') return `exited ${how}`;
  child.proc.kill('SIGKILL');
  await child.exited;
  return `did not exit within ${STOP_TIMEOUT_MS / 1000}s of SIGTERM; killed`;
}

/** Deletes every stream and KV bucket of this run's bus prefix (services create them at start). */
export async function deleteBus(bus: Bus): Promise<void> {
  const prefix = bus.names.prefix;
  const names: string[] = [];
  for await (const name of bus.jsm.streams.names()) {
    if (name.startsWith(`${prefix.toUpperCase()}_`) || name.startsWith(`KV_${prefix}_`)) names.push(name);
  }
  for (const name of names) await bus.jsm.streams.delete(name);
}
