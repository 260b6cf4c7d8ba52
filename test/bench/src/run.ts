/**
 * `npm run bench`: runs against the local stack that `npm run bench` brings up (durable
 * settings) and prints a table with the machine and the durability settings used.
 * CONCORD_BENCH_ONLY=foundation,gateway (comma-separated) runs only those groups.
 */
import { cpus, totalmem } from 'node:os';
import { randomBytes } from 'node:crypto';
import { readConfig } from '@concord/config';
import { commonSpec } from '@concord/runtime';
import { benchCassandra, benchJetStream } from './foundation';
import { benchGateway } from './gateway';
import { benchRouting } from './routing';
import { table, type Row } from './stats';

async function main(): Promise<void> {
  const name = `bench_${randomBytes(3).toString('hex')}`;
  const c = readConfig(commonSpec, { ...process.env, CONCORD_BUS_PREFIX: name, CONCORD_CASSANDRA_KEYSPACE: name });
  const count = Number(process.env['CONCORD_BENCH_COUNT'] || 20_000);
  process.stdout.write(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`);
  process.stdout.write('durability: JetStream file storage (nats-server default sync); Cassandra commitlog_sync batch (every acknowledged write fsynced first), RF 1\n');
  const groups = ['foundation', 'gateway', 'routing'];
  const only = (process.env['CONCORD_BENCH_ONLY'] || groups.join(',')).split(',').map((g) => g.trim()).filter(Boolean);
  const unknown = only.filter((g) => !groups.includes(g));
  if (unknown.length > 0) throw new Error(`CONCORD_BENCH_ONLY: unknown group(s) ${unknown.join(', ')}; known: ${groups.join(', ')}`);
  const rows: Row[] = [];
  if (only.includes('foundation')) rows.push(...await benchJetStream(c, count), ...await benchCassandra(c, count));
  if (only.includes('gateway')) rows.push(...await benchGateway(c));
  if (only.includes('routing')) rows.push(...await benchRouting(c));
  process.stdout.write(`\n${table(rows)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
