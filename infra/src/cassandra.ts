import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'cassandra-driver';
import { cacheDir, INFRA, stateDir } from './paths';
import { portOpen, runningPid, spawnDetached, stopManaged, waitReady, type Managed } from './proc';
import { note, step } from './progress';
import type { StackConfig } from './stack-config';
import { aptInstall, findExecutable, runCapture, versionOf } from './system';

const CASSANDRA_INFRA = join(INFRA, 'cassandra');

function dirs(env = process.env) {
  const base = join(stateDir(env), 'cassandra');
  return { base, conf: join(base, 'conf'), data: join(base, 'data'), logs: join(base, 'logs'), triggers: join(base, 'triggers') };
}

export function cassandraManaged(env = process.env): Managed {
  const d = dirs(env);
  return { name: 'cassandra', pidFile: join(d.base, 'cassandra.pid'), logFile: join(d.logs, 'stdout.log'), marker: `-Dcassandra.storagedir=${d.data}` };
}

async function ensureJava(): Promise<string> {
  let java = findExecutable('java');
  if (!java) {
    await aptInstall('installing OpenJDK 17 (apt-get)', ['openjdk-17-jre-headless']);
    java = findExecutable('java');
  }
  const v = versionOf(java ?? 'java', ['-version']);
  if (!java || !/version "17\./.test(v)) {
    throw new Error(`Cassandra 5.0 here runs on JDK 17; \`java -version\` says: ${v.split('\n')[0] || 'no java'}. Install openjdk-17-jre-headless or put JDK 17 first on PATH`);
  }
  return java;
}

/** Runtime jars of cassandra-all from Maven Central, cached outside the work tree. */
async function ensureJars(version: string): Promise<string> {
  const home = join(cacheDir(), `cassandra-${version}`);
  const lib = join(home, 'lib');
  if (existsSync(join(home, '.complete'))) return lib;
  if (!findExecutable('mvn')) await aptInstall('installing Maven (apt-get)', ['maven']);
  await step(`downloading Cassandra ${version} jars from Maven Central (first run only)`, async () => {
    const tmp = join(home, `lib.partial-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    const r = await runCapture('mvn', [
      '-B', '-q', '-f', join(CASSANDRA_INFRA, 'pom.xml'),
      `-Dcassandra.version=${version}`, '-DincludeScope=runtime', `-DoutputDirectory=${tmp}`,
      'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies',
    ]);
    if (r.code !== 0) {
      throw new Error(`mvn could not resolve org.apache.cassandra:cassandra-all:${version} (exit ${r.code}); check that Maven Central is reachable.\n${r.output.slice(-4000)}`);
    }
    rmSync(lib, { recursive: true, force: true });
    renameSync(tmp, lib);
    writeFileSync(join(home, '.complete'), `${new Date().toISOString()}\n`);
  });
  return lib;
}

function argFile(name: string): string[] {
  return readFileSync(join(CASSANDRA_INFRA, name), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

function render(cfg: StackConfig): { yaml: string; logback: string } {
  const d = dirs();
  for (const p of [d.conf, d.data, d.logs, d.triggers]) mkdirSync(p, { recursive: true });
  const yaml = readFileSync(join(CASSANDRA_INFRA, 'cassandra.yaml.template'), 'utf8')
    .replaceAll('${CQL_PORT}', String(cfg.cassandraPort))
    .replaceAll('${STORAGE_PORT}', String(cfg.cassandraStoragePort))
    .replaceAll('${CLUSTER_NAME}', 'Concord Local');
  const yamlPath = join(d.conf, 'cassandra.yaml');
  writeFileSync(yamlPath, yaml);
  const logback = join(d.conf, 'logback.xml');
  writeFileSync(logback, readFileSync(join(CASSANDRA_INFRA, 'logback.xml'), 'utf8'));
  return { yaml: yamlPath, logback };
}

export async function cassandraAnswers(port: number): Promise<boolean> {
  const client = new Client({ contactPoints: [`127.0.0.1:${port}`], localDataCenter: 'datacenter1', socketOptions: { connectTimeout: 2_000 } });
  try {
    await client.connect();
    await client.execute('SELECT release_version FROM system.local');
    return true;
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

/** Starts the project's Cassandra, or reuses one that is already up. True when it started one. */
export async function startCassandra(cfg: StackConfig): Promise<boolean> {
  const m = cassandraManaged();
  const d = dirs();
  const systemLog = join(d.logs, 'system.log');
  if (runningPid(m) !== undefined) {
    await step(`reusing running Cassandra on port ${cfg.cassandraPort}`, () => waitReady(m, cfg.startTimeout, () => cassandraAnswers(cfg.cassandraPort), systemLog));
    return false;
  }
  if (await portOpen(cfg.cassandraPort)) {
    if (await cassandraAnswers(cfg.cassandraPort).catch(() => false)) {
      note(`port ${cfg.cassandraPort} already serves CQL: reusing it (not started here, so not stopped here)`);
      return false;
    }
    throw new Error(`port ${cfg.cassandraPort} is in use by something that does not answer CQL; set CONCORD_CASSANDRA_PORT to a free port`);
  }
  const java = await ensureJava();
  const lib = await ensureJars(cfg.cassandraVersion);
  const conf = render(cfg);
  const jamm = readdirSync(lib).find((f) => /^jamm-.*\.jar$/.test(f));
  if (!jamm) throw new Error(`no jamm jar in ${lib}; delete ${lib}/.. to download the jars again`);
  const args = [
    ...argFile('jvm17.args'),
    ...(cfg.cassandraUnsafeFast ? argFile('jvm-test-unsafe.args') : []),
    `-Xms${cfg.cassandraHeap}`, `-Xmx${cfg.cassandraHeap}`,
    `-javaagent:${join(lib, jamm)}`,
    `-Dcassandra.config=file://${conf.yaml}`,
    `-Dcassandra.storagedir=${d.data}`,
    `-Dcassandra.logdir=${d.logs}`,
    `-Dcassandra.triggers_dir=${d.triggers}`,
    `-Dlogback.configurationFile=${conf.logback}`,
    '-cp', `${join(lib, '*')}`,
    'org.apache.cassandra.service.CassandraDaemon',
  ];
  await step(`starting Cassandra ${cfg.cassandraVersion} on 127.0.0.1:${cfg.cassandraPort}${cfg.cassandraUnsafeFast ? ' (test mode: no fsync)' : ''}`, async () => {
    spawnDetached(m, java, args);
    await waitReady(m, cfg.startTimeout, () => cassandraAnswers(cfg.cassandraPort), existsSync(systemLog) ? systemLog : m.logFile);
  });
  return true;
}

export async function stopCassandra(): Promise<boolean> {
  // Cassandra drains on SIGTERM; give it time before the kill.
  return stopManaged(cassandraManaged(), 20_000);
}
