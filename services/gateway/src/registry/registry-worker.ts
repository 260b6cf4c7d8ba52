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
      fullJid: s.jid.toString(), gatewayNode: node, imNg: s.info.imNg, csiInactive: s.info.csiInactive, pushEnabled: false, carbons: false,
      clientId: s.info.clientId, boundAtMs: Date.now(), presencePriority: 0, available: false,
    }),
    down: (s: BoundSession) => registry.remove(s.jid.toString()),
  };
}

export function heartbeatWorker(writer: RegistryWriter, sessions: () => BoundSession[], everyMs: number, log: Logger): Worker {
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'registry-heartbeat',
    async start() {
      timer = setInterval(() => {
        for (const s of sessions()) writer.up(s).catch((err: Error) => log.warn({ err: err.message }, 'registry refresh failed'));
      }, everyMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
    },
  };
}
