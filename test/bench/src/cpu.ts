/**
 * CPU time of a set of processes (Linux /proc): what one benchmark phase cost, summed over every
 * process that serves it (the services, nats-server, Cassandra), as issue-level cost targets
 * count it.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process so far; undefined once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export interface CpuReading {
  /** CPU seconds by process name. */
  seconds: Map<string, number>;
}

/** The processes the stack runs for the benchmark: CONCORD_BENCH_STACK_PIDS (name:pid,...), set by `npm run bench`. */
export function stackPids(env: NodeJS.ProcessEnv = process.env): { name: string; pid: number }[] {
  return (env['CONCORD_BENCH_STACK_PIDS'] ?? '').split(',').filter(Boolean).map((item) => {
    const [name, pid] = item.split(':');
    return { name: name!, pid: Number(pid) };
  }).filter((p) => Number.isInteger(p.pid) && p.pid > 0);
}

export function readCpu(processes: { name: string; pid: number }[]): CpuReading {
  const seconds = new Map<string, number>();
  for (const p of processes) {
    const s = cpuSecondsOf(p.pid);
    if (s !== undefined) seconds.set(p.name, s);
  }
  return { seconds };
}

/**
 * CPU milliseconds per message between two readings, by process and in total ("total" counts
 * only processes read both times); `messages` is what the phase carried.
 */
export function cpuPerMessage(before: CpuReading, after: CpuReading, messages: number): { total: number; byProcess: [string, number][] } {
  const byProcess: [string, number][] = [];
  for (const [name, s] of after.seconds) {
    const s0 = before.seconds.get(name);
    if (s0 !== undefined) byProcess.push([name, ((s - s0) * 1000) / messages]);
  }
  return { total: byProcess.reduce((sum, [, ms]) => sum + ms, 0), byProcess };
}

/** "0.41 ms (cassandra 0.20, gateway 0.08, ...)", largest first. */
export function describeCpu(c: { total: number; byProcess: [string, number][] }): string {
  const parts = [...c.byProcess].sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name} ${ms.toFixed(2)}`);
  return `${c.total.toFixed(2)} ms (${parts.join(', ')})`;
}
