import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'cassandra-driver';
import { connectCassandra, type CassandraSettings } from './client';
import { replicationCql, type Replication } from './replication';

/** A versioned CQL file: NNNN_name.cql, applied once per keyspace, in version order. */
export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

export const MIGRATIONS_DIR = join(__dirname, '..', 'migrations');
const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.cql$/;
const KEYSPACE_RE = /^[a-z][a-z0-9_]{0,47}$/;

export function assertKeyspace(keyspace: string): void {
  if (!KEYSPACE_RE.test(keyspace)) throw new Error(`keyspace ${JSON.stringify(keyspace)} must match ${KEYSPACE_RE}`);
}

/** Splits a CQL file into statements: `--` comments removed, `;` at a line end terminates. */
export function splitStatements(cql: string): string[] {
  const lines = cql.split('\n').map((l) => l.replace(/--.*$/, '').trimEnd());
  const out: string[] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    current.push(line);
    if (line.endsWith(';')) {
      out.push(current.join('\n').slice(0, -1).trim());
      current = [];
    }
  }
  if (current.length > 0) throw new Error(`unterminated CQL statement: ${current.join(' ').slice(0, 80)}`);
  return out;
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cql')).sort();
  const seen = new Set<number>();
  return files.map((file) => {
    const m = FILE_RE.exec(file);
    if (!m) throw new Error(`migration file ${file} must be named NNNN_name.cql`);
    const version = Number(m[1]);
    if (seen.has(version)) throw new Error(`two migrations with version ${version}`);
    seen.add(version);
    const text = readFileSync(join(dir, file), 'utf8');
    return { version, name: m[2]!, checksum: createHash('sha256').update(text).digest('hex').slice(0, 16), statements: splitStatements(text) };
  });
}

export interface SchemaStatus {
  keyspaceExists: boolean;
  applied: number[];
  latest: number;
  pending: number[];
}

export async function schemaStatus(client: Client, keyspace: string, migrations = loadMigrations()): Promise<SchemaStatus> {
  assertKeyspace(keyspace);
  const latest = migrations.at(-1)?.version ?? 0;
  const ks = await client.execute('SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?', [keyspace], { prepare: true });
  if (ks.rowLength === 0) return { keyspaceExists: false, applied: [], latest, pending: migrations.map((m) => m.version) };
  const t = await client.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', [keyspace, 'schema_migrations'], { prepare: true });
  const applied = t.rowLength === 0 ? [] : (await client.execute(`SELECT version FROM ${keyspace}.schema_migrations`)).rows.map((r) => Number(r['version']));
  const done = new Set(applied);
  return { keyspaceExists: true, applied: applied.sort((a, b) => a - b), latest, pending: migrations.filter((m) => !done.has(m.version)).map((m) => m.version) };
}

/**
 * Creates the keyspace if needed and applies pending migrations in order. Idempotent: every
 * statement is written to be re-runnable (IF NOT EXISTS), and applied versions are recorded.
 * A changed file that was already applied is reported rather than silently ignored.
 */
export async function migrate(settings: CassandraSettings, keyspace: string, replication: Replication, opts: { onApply?: (m: Migration) => void; migrations?: Migration[] } = {}): Promise<number[]> {
  assertKeyspace(keyspace);
  const migrations = opts.migrations ?? loadMigrations();
  const admin = await connectCassandra({ ...settings, keyspace: undefined });
  try {
    await admin.execute(`CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = ${replicationCql(replication)}`);
    await admin.execute(`CREATE TABLE IF NOT EXISTS ${keyspace}.schema_migrations (version int PRIMARY KEY, name text, checksum text, applied_at timestamp)`);
  } finally {
    await admin.shutdown();
  }
  // Statements in migration files name tables without a keyspace: run them with it as default.
  const client = await connectCassandra({ ...settings, keyspace });
  try {
    const rows = (await client.execute('SELECT version, checksum FROM schema_migrations')).rows;
    const applied = new Map(rows.map((r) => [Number(r['version']), String(r['checksum'])]));
    const done: number[] = [];
    for (const m of migrations) {
      const had = applied.get(m.version);
      if (had !== undefined) {
        if (had !== m.checksum) throw new Error(`migration ${m.version}_${m.name} changed after it was applied to ${keyspace}; add a new migration instead`);
        continue;
      }
      opts.onApply?.(m);
      for (const stmt of m.statements) await client.execute(stmt, [], { prepare: false });
      await client.execute('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)', [m.version, m.name, m.checksum, new Date()]);
      done.push(m.version);
    }
    return done;
  } finally {
    await client.shutdown();
  }
}
