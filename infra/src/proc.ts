import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';

/** A background process the stack owns, identified by a pid file and a command-line marker. */
export interface Managed {
  name: string;
  pidFile: string;
  logFile: string;
  /** A string that must appear in /proc/<pid>/cmdline, so a recycled pid is never mistaken for ours. */
  marker: string;
}

export function readPid(m: Managed): number | undefined {
  if (!existsSync(m.pidFile)) return undefined;
  const pid = Number(readFileSync(m.pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number, marker: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false; // exited, not yet reaped
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

export function runningPid(m: Managed): number | undefined {
  const pid = readPid(m);
  return pid !== undefined && alive(pid, m.marker) ? pid : undefined;
}

/** Starts `cmd` in its own process group, output appended to the log file; returns its pid. */
export function spawnDetached(m: Managed, cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): number {
  mkdirSync(dirname(m.logFile), { recursive: true });
  mkdirSync(dirname(m.pidFile), { recursive: true });
  const fd = openSync(m.logFile, 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], cwd: opts.cwd, env: opts.env ?? process.env });
    if (child.pid === undefined) throw new Error(`could not start ${m.name}: ${cmd}`);
    child.unref();
    writeFileSync(m.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
export async function stopManaged(m: Managed, graceMs: number): Promise<boolean> {
  const pid = runningPid(m);
  if (pid === undefined) {
    rmSync(m.pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid, m.marker) && Date.now() < deadline) await sleep(100);
  if (alive(pid, m.marker)) {
    process.kill(pid, 'SIGKILL');
    while (alive(pid, m.marker)) await sleep(50);
  }
  rmSync(m.pidFile, { force: true });
  return true;
}

export function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return `(no log at ${file})`;
  return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Polls `ready` until it resolves true. On timeout, or when the process dies first, throws an
 * error that carries the tail of the component's log.
 */
export async function waitReady(m: Managed, timeoutMs: number, ready: () => Promise<boolean>, logForErrors = m.logFile): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    if (readPid(m) !== undefined && runningPid(m) === undefined) {
      throw new Error(`${m.name} exited during start. Last lines of ${logForErrors}:\n${tail(logForErrors)}`);
    }
    await sleep(500);
  }
  throw new Error(`${m.name} not ready after ${Math.round(timeoutMs / 1000)}s. Last lines of ${logForErrors}:\n${tail(logForErrors)}`);
}
