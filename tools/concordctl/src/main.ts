import { ConfigError, readConfig } from '@concord/config';
import { commonSpec } from '@concord/runtime';
import { collectStatus, formatStatus } from './commands/status';
import { runMigrate } from './commands/migrate';

const USAGE = `usage: concordctl <command> [options]
  status [--json]   readiness of NATS, Cassandra, the schema and every service; exit 0 only when all are ready
  migrate           apply pending CQL migrations to the configured keyspace
Configuration comes from the same environment variables as the services (see README).`;

/** Exit codes: 0 ok, 1 not ready / failed, 64 usage, 78 configuration. */
export async function run(argv: string[], env: NodeJS.ProcessEnv, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [command, ...args] = argv;
  let config;
  try {
    config = readConfig(commonSpec, env);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return 78;
    }
    throw e;
  }
  switch (command) {
    case 'status': {
      const rows = await collectStatus(config, env);
      out(args.includes('--json') ? JSON.stringify({ ready: rows.every((r) => r.ready), components: rows }, null, 2) : formatStatus(rows));
      return rows.every((r) => r.ready) ? 0 : 1;
    }
    case 'migrate':
      await runMigrate(config, out);
      return 0;
    case undefined:
    case 'help':
    case '--help':
      out(USAGE);
      return command === undefined ? 64 : 0;
    default:
      err(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 64;
  }
}

/** The process entry: argv and env of this process, exit code set when done. */
export function cliMain(): void {
  run(process.argv.slice(2), process.env, (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`concordctl: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) cliMain();
