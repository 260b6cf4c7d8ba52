import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { stackSpec } from './stack-config';

/** The repository root (infra/dist/.. /..). */
export const ROOT = resolve(__dirname, '..', '..');
export const INFRA = join(ROOT, 'infra');

/** Runtime state of the local stack: data, logs, pid files. Ignored by git; `npm run clean` removes it. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env[stackSpec.stateDir.env] || join(ROOT, '.concord'));
}

/** Downloads kept across clones (Cassandra jars), outside the work tree. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env[stackSpec.cacheDir.env] || join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'concord'));
}
