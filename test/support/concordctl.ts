import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { RunningConcord } from './concord';

const CONCORDCTL = join(__dirname, '..', '..', 'tools', 'concordctl', 'dist', 'main.js');

export interface CtlRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The real concordctl binary against a running Concord's bus prefix, keyspace and domain.
 * Not spawnSync: services running in the test process keep working meanwhile.
 */
export function concordctl(concord: RunningConcord, args: string[], env: Record<string, string> = {}): Promise<CtlRun> {
  const child = spawn(process.execPath, [CONCORDCTL, ...args], {
    env: { ...process.env, CONCORD_CASSANDRA_KEYSPACE: concord.name, CONCORD_BUS_PREFIX: concord.name, CONCORD_DOMAIN: concord.domain, CONCORD_LOG_LEVEL: 'warn', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}
