import type { Logger } from '@concord/log';
import type { SessionRegistry } from '@concord/registry';
import type { Worker } from '@concord/runtime';
import type { BoundSession } from '../session/connection-deps';
import type { RegistryWriter } from '../session/session-table';

/**
 * Keeps this node's sessions in the cluster-wide registry: written at bind, removed at unbind,
 * and refreshed periodically so that they expire (bucket TTL) if this gateway dies.
 */
export function registryWriter(registry: SessionRegistry, node: string): RegistryWriter {
  return {
    up: (s: BoundSession) => registry.put({
      fullJid: s.jid.toString(), gatewayNode: node, imNg: s.info.imNg, csiInactive: s.info.csiInactive, pushEnabled: s.info.pushEnabled, carbons: s.info.carbons,
      clientId: s.info.clientId, boundAtMs: Date.now(), presencePriority: 0, available: false, detached: s.info.detached,
    }),
    down: (s: BoundSession) => registry.remove(s.jid.toString()),
  };
}

/** Registry writes in flight during a refresh: a node with 10,000 sessions must not burst them all at once. */
const REFRESH_CONCURRENCY = 32;

export function heartbeatWorker(writer: RegistryWriter, sessions: () => BoundSession[], stillBound: (s: BoundSession) => boolean, everyMs: number, log: Logger): Worker {
  let timer: NodeJS.Timeout | undefined;
  let refreshing = false;
  const refresh = async () => {
    if (refreshing) return; // the previous round is still running: skip rather than pile up
    refreshing = true;
    try {
      const all = sessions();
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(REFRESH_CONCURRENCY, all.length) }, async () => {
        while (next < all.length) {
          const s = all[next++]!;
          // A session unbound since the snapshot must not be written back, nor one whose stream
          // was resumed on another gateway (the entry, same key, is that gateway's now).
          if (stillBound(s) && await s.stillOwned()) await writer.up(s).catch((err: Error) => log.warn({ err: err.message }, 'registry refresh failed'));
        }
      }));
    } finally {
      refreshing = false;
    }
  };
  return {
    name: 'registry-heartbeat',
    async start() {
      timer = setInterval(() => void refresh(), everyMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
    },
  };
}
