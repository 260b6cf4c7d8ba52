import type { Logger } from '@concord/log';
import type { PushAccountsWriter } from '@concord/registry';
import type { Worker } from '@concord/runtime';
import type { PushRegistrationStore } from '@concord/storage';

/**
 * After registrations of the account were removed: drops it from the push accounts set when
 * none is left. An enable from another device racing this one writes its row before its key,
 * so the second look puts back a key this one deleted under it.
 */
export async function refreshPushAccount(store: PushRegistrationStore, set: PushAccountsWriter, account: string): Promise<void> {
  if ((await store.list(account)).length > 0) return;
  await set.set(account, false);
  if ((await store.list(account)).length > 0) await set.set(account, true);
}

/** KV writes in flight while filling the set: one round trip each would make a large fill slow. */
const FILL_IN_FLIGHT = 64;

/**
 * Fills the push accounts set from the registrations in Cassandra once (registrations made
 * before the set existed), then marks it complete; until then the router asks for every
 * account's pushes. Enables keep it current afterwards.
 */
export function pushAccountsWorker(store: PushRegistrationStore, set: PushAccountsWriter, log: Logger): Worker {
  return {
    name: 'push-accounts',
    async start() {
      if (await set.isComplete()) return;
      let n = 0;
      let chunk: string[] = [];
      const flush = async () => {
        await Promise.all(chunk.map((account) => set.set(account, true)));
        n += chunk.length;
        chunk = [];
        if (n % 10_000 < FILL_IN_FLIGHT) log.info({ accounts: n }, 'filling the push accounts set');
      };
      for await (const account of store.accounts()) {
        chunk.push(account);
        if (chunk.length === FILL_IN_FLIGHT) await flush();
      }
      await flush();
      await set.markComplete();
      log.info({ accounts: n }, 'push accounts set filled from the registrations');
    },
    async stop() {},
  };
}
