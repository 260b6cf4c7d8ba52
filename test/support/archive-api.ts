import { ArchiveClient } from '@concord/archive-client-example';
import type { ClientDriver } from './driver';
import type { RunningConcord } from './concord';

/** Callers of the archive API: a read-only support tool, an admin tool and a query-only auditor. */
export const SUPPORT_TOKEN = 'support-token-4f1d2c9a7b';
export const ADMIN_TOKEN = 'admin-token-9e8d7c6b5a4f';
/** A caller allowed Query only. */
export const AUDITOR_TOKEN = 'auditor-token-3c2b1a0f9e';
export const CALLERS_ENV = {
  CONCORD_ARCHIVE_GRPC_CALLERS: `support:Query+GetMessages+ListConversations+Sync:${SUPPORT_TOKEN},admin:*:${ADMIN_TOKEN},auditor:Query:${AUDITOR_TOKEN}`,
};

export function apiAddress(concord: RunningConcord): string {
  const port = concord.archive?.grpcPort;
  if (!port) throw new Error('the archive gRPC API is not running in this process');
  return `127.0.0.1:${port}`;
}

export function archiveClient(concord: RunningConcord, token?: string): ArchiveClient {
  return new ArchiveClient({ address: apiAddress(concord), ...(token ? { token } : {}) });
}

/** Sends a chat message and waits for its Stream Management ack (= archived for both accounts). */
export async function say(from: ClientDriver, to: string, id: string, body = id): Promise<void> {
  await from.ok('send', { xml: `<message to='${to}' type='chat' id='${id}'><body>${body}</body></message>` });
  await from.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes(`id="${id}"`), 15_000, `the ack of ${id}`);
}
