import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { step } from './progress';

/** First existing path among candidates, or the one `command -v` finds. */
export function findExecutable(name: string, candidates: string[] = []): string | undefined {
  for (const c of candidates) if (existsSync(c)) return c;
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const found = r.stdout.trim();
  return r.status === 0 && found ? found : undefined;
}

let aptUpdated = false;

/** Installs Debian packages with apt-get (as root, or through passwordless sudo). */
export async function aptInstall(label: string, packages: string[]): Promise<void> {
  const isRoot = process.getuid?.() === 0;
  const sudo = isRoot ? [] : ['sudo', '-n'];
  if (!isRoot && !findExecutable('sudo')) {
    throw new Error(`${packages.join(' ')} is missing and this user cannot install it; run as root: apt-get update && apt-get install -y ${packages.join(' ')}`);
  }
  await step(label, async () => {
    const run = (args: string[]) => {
      const [cmd, ...rest] = [...sudo, ...args];
      const r = spawnSync(cmd!, rest, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      if (r.status !== 0) throw new Error(`${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    };
    if (!aptUpdated) {
      run(['apt-get', 'update', '-q']);
      aptUpdated = true;
    }
    run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...packages]);
  });
}

/** Output of `cmd args` (stdout and stderr: `java -version` prints to stderr), or '' when it cannot run. */
export function versionOf(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

/**
 * Runs a command without blocking the event loop (other components keep starting meanwhile);
 * its output is kept and shown only if it fails.
 */
export function runCapture(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString()));
    p.stderr.on('data', (d: Buffer) => (output += d.toString()));
    p.on('error', (err) => resolve({ code: 127, output: err.message }));
    p.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
