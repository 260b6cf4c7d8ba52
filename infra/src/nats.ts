import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { INFRA, stateDir } from './paths';
import { portOpen, runningPid, spawnDetached, stopManaged, waitReady, type Managed } from './proc';
import { step, note } from './progress';
import { stackSpec, type StackConfig } from './stack-config';
import { aptInstall, findExecutable, versionOf } from './system';

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server'];
const MIN_VERSION = [2, 9];

export function natsManaged(env = process.env): Managed {
  const dir = join(stateDir(env), 'nats');
  return { name: 'nats-server', pidFile: join(dir, 'nats-server.pid'), logFile: join(dir, 'nats-server.log'), marker: join(dir, 'nats-server.conf') };
}

export async function ensureNatsServer(): Promise<string> {
  let bin = process.env[stackSpec.natsServerBin.env] || findExecutable('nats-server', CANDIDATES);
  if (!bin) {
    await aptInstall('installing nats-server (apt-get)', ['nats-server']);
    bin = findExecutable('nats-server', CANDIDATES);
    if (!bin) throw new Error('nats-server is still missing after apt-get install nats-server');
  }
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(versionOf(bin, ['--version']));
  const [major, minor] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (major < MIN_VERSION[0]! || (major === MIN_VERSION[0] && minor < MIN_VERSION[1]!)) {
    throw new Error(`${bin} is version ${m?.[0] ?? 'unknown'}; Concord needs nats-server ${MIN_VERSION.join('.')} or newer`);
  }
  return bin;
}

/** Connects and asks the JetStream API: ready means streams can be used, not just an open port. */
export async function natsAnswers(port: number): Promise<boolean> {
  const nc = await connect({ servers: `nats://127.0.0.1:${port}`, timeout: 1_000, maxReconnectAttempts: 0 });
  try {
    await (await jetstreamManager(nc)).getAccountInfo();
    return true;
  } finally {
    await nc.close();
  }
}

function renderConfig(cfg: StackConfig, dir: string): string {
  const template = readFileSync(join(INFRA, 'nats', 'nats-server.conf.template'), 'utf8');
  const text = template
    .replaceAll('${NATS_PORT}', String(cfg.natsPort))
    .replaceAll('${NATS_MONITOR_PORT}', String(cfg.natsMonitorPort))
    .replaceAll('${NATS_STORE_DIR}', join(dir, 'jetstream'));
  const file = join(dir, 'nats-server.conf');
  writeFileSync(file, text);
  return file;
}

/** Starts the project's nats-server, or reuses one that is already up. True when it started one. */
export async function startNats(cfg: StackConfig): Promise<boolean> {
  const m = natsManaged();
  if (runningPid(m) !== undefined) {
    await step(`reusing running nats-server on port ${cfg.natsPort}`, () => waitReady(m, cfg.startTimeout, () => natsAnswers(cfg.natsPort)));
    return false;
  }
  if (await portOpen(cfg.natsPort)) {
    if (await natsAnswers(cfg.natsPort).catch(() => false)) {
      note(`port ${cfg.natsPort} already serves NATS with JetStream: reusing it (not started here, so not stopped here)`);
      return false;
    }
    throw new Error(`port ${cfg.natsPort} is in use by something that is not a JetStream-enabled NATS; set CONCORD_NATS_PORT to a free port`);
  }
  const bin = await ensureNatsServer();
  const dir = join(stateDir(), 'nats');
  mkdirSync(dir, { recursive: true });
  const conf = renderConfig(cfg, dir);
  await step(`starting nats-server with JetStream on 127.0.0.1:${cfg.natsPort}`, async () => {
    spawnDetached(m, bin, ['-c', conf]);
    await waitReady(m, cfg.startTimeout, () => natsAnswers(cfg.natsPort));
  });
  return true;
}

export async function stopNats(): Promise<boolean> {
  return stopManaged(natsManaged(), 10_000);
}
