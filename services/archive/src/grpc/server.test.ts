import { status } from '@grpc/grpc-js';
import type { Logger } from '@concord/log';
import type { ArchiveStore } from '@concord/storage';
import { ArchiveClient } from '@concord/archive-client-example';
import type { ArchiveConfig } from '../config';
import { Watermark } from '../consumers/watermark';
import { CallerRegistry, parseCallers } from './callers';
import type { ApiDeps } from './deps';
import { grpcWorker, type GrpcWorker } from './server';

/** A logger that keeps what it was given. */
function recordingLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: unknown, msg?: string) => {
    if (typeof obj === 'string') lines.push({ level, obj: {}, msg: obj });
    else lines.push({ level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
  };
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as Logger };
}

const TOKEN = 'unit-test-token-0123456789';
const config = { grpcHost: '127.0.0.1', grpcPort: 0, grpcTlsCert: '', grpcTlsKey: '', grpcTlsClientCa: '' } as ArchiveConfig;
// Only what Query on an empty archive touches.
const emptyStore = { page: async () => [], byId: async () => undefined } as unknown as ArchiveStore;

async function serve(callers: string[]) {
  const { lines, log } = recordingLogger();
  const deps = {
    store: emptyStore, watermark: new Watermark(), log, callers: new CallerRegistry(parseCallers(callers)), applyTimeoutMs: 1_000,
  } as unknown as Omit<ApiDeps, 'stopping'>;
  const worker: GrpcWorker = grpcWorker(config, deps);
  await worker.start();
  return { worker, lines, client: (token?: string) => new ArchiveClient({ address: `127.0.0.1:${worker.port}`, ...(token ? { token } : {}) }) };
}

describe('archive API server', () => {
  it('writes one audit line per call: caller, method, account, status, duration', async () => {
    const { worker, lines, client } = await serve([`tool:Query:${TOKEN}`]);
    const good = client(TOKEN);
    const anonymous = client();
    try {
      expect((await good.query({ account: 'alice@example.org' })).messages).toEqual([]);
      await expect(anonymous.query({ account: 'alice@example.org' })).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
      await expect(good.listConversations('alice@example.org')).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    } finally {
      good.close();
      anonymous.close();
      await worker.stop();
    }
    const audit = lines.filter((l) => l.obj['audit'] === 'grpc').map((l) => l.obj);
    expect(audit).toEqual([
      expect.objectContaining({ caller: 'tool', method: 'Query', account: 'alice@example.org', status: 'OK', code: 0 }),
      expect.objectContaining({ caller: null, method: 'Query', account: 'alice@example.org', status: 'UNAUTHENTICATED' }),
      expect.objectContaining({ caller: 'tool', method: 'ListConversations', status: 'PERMISSION_DENIED' }),
    ]);
    expect(audit.every((a) => typeof a['durationMs'] === 'number' && typeof a['peer'] === 'string')).toBe(true);
  });

  it('with no callers configured, says so at start and refuses every call', async () => {
    const { worker, lines, client } = await serve([]);
    const c = client(TOKEN);
    try {
      await expect(c.query({ account: 'alice@example.org' })).rejects.toMatchObject({ code: status.UNAUTHENTICATED, details: expect.stringContaining('no API callers') });
    } finally {
      c.close();
      await worker.stop();
    }
    expect(lines.some((l) => l.level === 'warn' && l.msg.includes('no callers configured'))).toBe(true);
  });
});
