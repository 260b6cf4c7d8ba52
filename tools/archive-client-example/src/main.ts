/**
 * Command-line example of the archive API:
 *
 *   ARCHIVE_ADDRESS=127.0.0.1:50051 ARCHIVE_TOKEN=... node tools/archive-client-example/dist/main.js query alice@localhost
 *   ... conversations alice@localhost
 *   ... sync alice@localhost [AFTER_POSITION]      (history, then live; Ctrl-C to stop)
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { ArchiveClient } from './client';

async function main(argv: string[]): Promise<number> {
  const [command, account, arg] = argv;
  if (!command || !account) {
    process.stderr.write('usage: main.js query|conversations|sync ACCOUNT [WITH|AFTER_POSITION]\n');
    return 2;
  }
  const client = new ArchiveClient({ address: process.env['ARCHIVE_ADDRESS'] ?? '127.0.0.1:50051', ...(process.env['ARCHIVE_TOKEN'] ? { token: process.env['ARCHIVE_TOKEN'] } : {}) });
  try {
    if (command === 'query') {
      for await (const m of client.queryAll({ account, with: arg ?? '', pageSize: 100 })) {
        process.stdout.write(`${m.position}\t${new Date(m.timestampMs).toISOString()}\t${m.outgoing ? '->' : '<-'} ${m.with}\t${m.retracted ? '(retracted)' : m.body}\n`);
      }
    } else if (command === 'conversations') {
      const { conversations } = await client.listConversations(account);
      for (const c of conversations) process.stdout.write(`${c.with}\t${c.unread}${c.unreadCapped ? '+' : ''} unread\t${c.lastMessage?.body ?? ''}\n`);
    } else if (command === 'sync') {
      const stream = client.sync(account, Number(arg ?? 0));
      process.once('SIGINT', () => stream.cancel());
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (e: import('./client').SyncEvent) => process.stdout.write(`${JSON.stringify(e)}\n`));
        stream.on('error', (err: ServiceError) => (err.code === status.CANCELLED ? resolve() : reject(err)));
        stream.on('end', resolve);
      });
    } else {
      process.stderr.write(`unknown command ${command}\n`);
      return 2;
    }
    return 0;
  } catch (err) {
    const e = err as ServiceError;
    process.stderr.write(`${status[e.code] ?? 'ERROR'}: ${e.details ?? e.message}\n`);
    return 1;
  } finally {
    client.close();
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
