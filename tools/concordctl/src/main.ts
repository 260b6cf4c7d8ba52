import { ConfigError, readConfig } from '@concord/config';
import { commonSpec } from '@concord/runtime';
import { collectStatus, formatStatus } from './commands/status';
import { runMigrate } from './commands/migrate';
import { ACCOUNT_USAGE, runAccount } from './commands/account';
import { commandArgs, UsageError } from './args';
import { PUSH_USAGE, runPush } from './commands/push';
import { ARCHIVE_USAGE, runArchive } from './commands/archive';

const USAGE = `usage: concordctl <command> [options]
  status [--json]   readiness of NATS, Cassandra, the schema and every service; exit 0 only when all are ready
  migrate           apply pending CQL migrations to the configured keyspace
${ACCOUNT_USAGE}
${PUSH_USAGE}
${ARCHIVE_USAGE}
Configuration comes from the same environment variables as the services (see README).`;

function readStdin(): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => (text += d));
    process.stdin.on('end', () => resolve(text));
  });
}

/** Exit codes: 0 ok, 1 not ready / failed, 64 usage, 78 configuration. */
export async function run(argv: string[], env: NodeJS.ProcessEnv, out: (s: string) => void, err: (s: string) => void, stdin: () => Promise<string> = readStdin): Promise<number> {
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
      let json: boolean;
      try {
        json = commandArgs(args, { json: { type: 'boolean' } }, 0).values.json === true;
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        err(`concordctl status: ${e.message}\n${USAGE}`);
        return 64;
      }
      const rows = await collectStatus(config, env);
      out(json ? JSON.stringify({ ready: rows.every((r) => r.ready), components: rows }, null, 2) : formatStatus(rows));
      return rows.every((r) => r.ready) ? 0 : 1;
    }
    case 'migrate':
      await runMigrate(config, out);
      return 0;
    case 'account':
      try {
        return await runAccount(config, args, out, stdin);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        err(`concordctl account: ${e.message}\n${ACCOUNT_USAGE}`);
        return 64;
      }
    case 'push':
      try {
        return await runPush(config, args, out);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        err(`concordctl push: ${e.message}\n${PUSH_USAGE}`);
        return 64;
      }
    case 'archive':
      try {
        return await runArchive(config, env, args, out);
      } catch (e) {
        if (e instanceof ConfigError) {
          err(e.message);
          return 78;
        }
        if (!(e instanceof UsageError)) throw e;
        err(`concordctl archive: ${e.message}\n${ARCHIVE_USAGE}`);
        return 64;
      }
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
