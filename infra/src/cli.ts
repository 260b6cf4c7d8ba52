import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@concord/config';
import { configMarkdown, writeReadmeConfig } from './config-docs';
import { ROOT, stateDir } from './paths';
import { note, seconds, step } from './progress';
import { readStackConfig, serviceEnv, type StackConfig } from './stack-config';
import { stackDown, stackUp } from './stack';
import { aptInstall } from './system';
import { cassandraManaged } from './cassandra';
import { natsManaged } from './nats';
import { runningPid } from './proc';
import { Supervisor, waitServicesReady } from './supervisor';

const USAGE = `usage: node infra/bin/concord.mjs <command>
  start    bring up nats-server and Cassandra, then the services (Ctrl-C stops everything)
  test     bring up the stack, run jest (extra arguments go to jest), stop what was started
  up       bring up nats-server and Cassandra and leave them running
  down     stop the nats-server and Cassandra this checkout started
  clean    stop them and delete the local state (.concord/)
  bench    bring up the stack and run the benchmarks
  faults   the fault suite: its own nats-server and durable Cassandra, one fault per run under load (fault ids as arguments run only those)
  config-docs  print the configuration table of the README (--write updates README.md)`;

function config(env: NodeJS.ProcessEnv): StackConfig {
  try {
    return readStackConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(err.message);
    throw err;
  }
}

/** Resolves on the first SIGINT/SIGTERM; later signals are ignored while we shut down. */
function onSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (s: NodeJS.Signals) => resolve(s);
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
    process.on('SIGINT', () => undefined);
    process.on('SIGTERM', () => undefined);
  });
}

async function start(env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = Date.now();
  const cfg = config(env);
  const signal = onSignal();
  const handle = await stackUp(cfg);
  const supervisor = new Supervisor(serviceEnv(cfg, env));
  supervisor.startServices(cfg.mode as 'services' | 'all-in-one');
  let code = 0;
  try {
    await Promise.race([waitServicesReady(env, 90_000, supervisor.failed), signal.then((s) => { throw new Error(`${s} during start`); })]);
    process.stdout.write(`[concord] ready in ${seconds(t0)}: XMPP on 127.0.0.1:${env['CONCORD_GATEWAY_TCP_PORT'] || 5222} (STARTTLS), ` +
      `${env['CONCORD_GATEWAY_TLS_PORT'] || 5223} (TLS), ws://127.0.0.1:${env['CONCORD_GATEWAY_WS_PORT'] || 5280}/xmpp-websocket; ` +
      `add accounts with \`npm run ctl -- account add alice@localhost PASSWORD\`; check with \`npm run ctl -- status\`; Ctrl-C stops everything.\n`);
    const why = await Promise.race([signal.then((s) => `received ${s}`), supervisor.failed.then((r) => { code = 1; return r; })]);
    note(why);
  } catch (err) {
    process.stderr.write(`[concord] ✗ ${(err as Error).message}\n`);
    code = 1;
  }
  await step('stopping services', () => supervisor.stop());
  await stackDown(handle);
  return code;
}

function runJest(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const jest = spawn(process.execPath, [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), ...args], { cwd: ROOT, env, stdio: 'inherit' });
    jest.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** End-to-end tests drive slixmpp (Python) as well as @xmpp/client. */
async function ensureSlixmpp(): Promise<void> {
  if (spawnSync('/usr/bin/python3', ['-c', 'import slixmpp'], { stdio: 'ignore' }).status === 0) return;
  await aptInstall('installing slixmpp for the end-to-end tests (apt-get)', ['python3-slixmpp']);
}

async function test(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  await ensureSlixmpp();
  // Throwaway test nodes do not need fsync; an explicit setting wins.
  const cfg = config({ CONCORD_CASSANDRA_UNSAFE_FAST: 'true', ...env });
  const handle = await stackUp(cfg);
  try {
    const testEnv = { ...serviceEnv(cfg, env), CONCORD_TEST_STACK: '1' };
    return await runJest(args, testEnv);
  } finally {
    await stackDown(handle);
  }
}

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [script, ...args], { cwd: ROOT, env, stdio: 'inherit' });
    p.on('exit', (code) => resolve(code ?? 1));
  });
}

async function bench(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const cfg = config(env);
  const handle = await stackUp(cfg);
  try {
    // The benchmark counts CPU per message across every process, the stack's included.
    const stack = [['nats-server', runningPid(natsManaged(env))], ['cassandra', runningPid(cassandraManaged(env))]] as const;
    const pids = stack.flatMap(([name, pid]) => (pid === undefined ? [] : [`${name}:${pid}`])).join(',');
    return await runScript(join(ROOT, 'test', 'bench', 'dist', 'run.js'), args, { ...serviceEnv(cfg, env), CONCORD_BENCH_STACK_PIDS: pids });
  } finally {
    await stackDown(handle);
  }
}

/**
 * The fault suite kills and stops nats-server and Cassandra, so it never touches the stack of
 * `npm start`/`npm test`: it brings up its own (state folder faults/ inside this one, free
 * ports, fsync on) and stops it at the end. Its clients accept the gateway's self-signed certificate.
 */
function faults(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runScript(join(ROOT, 'test', 'faults', 'dist', 'run.js'), args, {
    ...env,
    CONCORD_STATE_DIR: join(stateDir(env), 'faults'),
    NODE_TLS_REJECT_UNAUTHORIZED: '0',
  });
}

export async function main(argv: string[]): Promise<number> {
  const [command = 'start', ...rest] = argv;
  const env = process.env;
  switch (command) {
    case 'start':
      return start(env);
    case 'test':
      return test(rest, env);
    case 'bench':
      return bench(rest, env);
    case 'faults':
      return faults(rest, env);
    case 'up':
      await stackUp(config(env));
      note('stack is up; `npm run stack:down` stops it');
      return 0;
    case 'down':
      await stackDown();
      return 0;
    case 'config-docs':
      if (rest.includes('--write')) writeReadmeConfig();
      else process.stdout.write(`${configMarkdown()}\n`);
      return 0;
    case 'clean':
      await stackDown();
      await step(`deleting ${stateDir(env)}`, async () => rmSync(stateDir(env), { recursive: true, force: true }));
      return 0;
    default:
      process.stderr.write(`${USAGE}\n`);
      return 64;
  }
}
