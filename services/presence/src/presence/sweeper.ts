import { parseJid } from '@concord/jid';
import type { Worker } from '@concord/runtime';
import { el } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { PresenceContext } from '../context';
import { broadcastUnavailable } from './broadcast';

/**
 * Finds sessions that ended without a word: their gateway died (its registry entries expired)
 * or they were suspended for resumption and never resumed. A presence record whose session is
 * missing from the registry on two looks in a row is removed, and an available one is announced
 * unavailable (RFC 6121 §4.5: the server does it for a session that is gone). Two looks, so that
 * a stream resumed on another gateway, re-registered between them, is left alone. Several
 * presence instances may sweep: the conditional delete lets one of them announce it.
 */
export function sweeperWorker(ctx: PresenceContext, everyMs: number): Worker {
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  let missing = new Set<string>();

  const end = async (fullJid: string) => {
    const cur = await ctx.presences.get(fullJid);
    if (!cur || !(await ctx.presences.removeAt(fullJid, cur.revision)) || !cur.value.available) return;
    const account = parseJid(fullJid).bare().toString();
    ctx.log.info({ jid: fullJid }, 'session gone without unavailable; announcing it');
    await broadcastUnavailable(ctx, { fullJid, account }, el('presence', { xmlns: NS.client, type: 'unavailable' }), cur.value.directedTo);
  };

  const sweep = async () => {
    const stillMissing = new Set<string>();
    for (const jid of await ctx.presences.fullJids()) {
      if (await ctx.registry.get(jid)) continue;
      if (missing.has(jid)) await end(jid).catch((err: Error) => ctx.log.warn({ err: err.message, jid }, 'could not end a vanished session'));
      else stillMissing.add(jid);
    }
    missing = stillMissing;
  };

  return {
    name: 'presence-sweeper',
    async start() {
      timer = setInterval(() => {
        if (sweeping) return; // the previous look is still running
        sweeping = sweep().catch((err: Error) => ctx.log.warn({ err: err.message }, 'presence sweep failed')).finally(() => (sweeping = undefined));
      }, everyMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await sweeping;
    },
  };
}
