import { migrate, parseReplication } from '@concord/storage';
import { readConfig } from '@concord/config';
import { commonSpec } from '@concord/runtime';
import { cassandraSettings } from '@concord/runtime';
import { startCassandra, stopCassandra } from './cassandra';
import { startNats, stopNats } from './nats';
import { note, step } from './progress';
import { serviceEnv, type StackConfig } from './stack-config';

/** What `up` started, so that the caller stops exactly that and no more. */
export interface StackHandle {
  startedNats: boolean;
  startedCassandra: boolean;
}

/** Brings up nats-server and Cassandra (reusing running ones) and applies CQL migrations. */
export async function stackUp(cfg: StackConfig): Promise<StackHandle> {
  const handle: StackHandle = { startedNats: false, startedCassandra: false };
  try {
    // Independent components: start both at once, and wait for both.
    const [nats, cassandra] = await Promise.allSettled([startNats(cfg), startCassandra(cfg)]);
    if (nats.status === 'fulfilled') handle.startedNats = nats.value;
    if (cassandra.status === 'fulfilled') handle.startedCassandra = cassandra.value;
    if (nats.status === 'rejected') throw nats.reason;
    if (cassandra.status === 'rejected') throw cassandra.reason;
    await applyMigrations(cfg);
    return handle;
  } catch (err) {
    await stackDown(handle);
    throw err;
  }
}

export async function applyMigrations(cfg: StackConfig, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const common = readConfig(commonSpec, serviceEnv(cfg, env));
  await step(`applying CQL migrations to keyspace ${common.cassandraKeyspace}`, async () => {
    const applied = await migrate(cassandraSettings(common), common.cassandraKeyspace, parseReplication(common.cassandraReplication), {
      onApply: (m) => note(`migration ${String(m.version).padStart(4, '0')}_${m.name}`),
    });
    if (applied.length === 0) note('schema already current');
  });
}

/** Stops what the handle says was started here; stopping a stack reused from elsewhere is its owner's job. */
export async function stackDown(handle: StackHandle = { startedNats: true, startedCassandra: true }): Promise<void> {
  const jobs: Promise<unknown>[] = [];
  if (handle.startedCassandra) jobs.push(step('stopping Cassandra', stopCassandra));
  if (handle.startedNats) jobs.push(step('stopping nats-server', stopNats));
  await Promise.all(jobs);
}
