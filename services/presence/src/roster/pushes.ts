import type { RosterChange } from '@concord/storage';
import type { PresenceContext } from '../context';
import { deliverTo } from '../producers/deliveries';
import { interestedSessions } from '../presence/targets';
import { rosterPush } from './roster-xml';

/**
 * A change the client can see goes to every session of the account that asked for the roster
 * (RFC 6121 §2.1.6), each push addressed to its session and carrying the new version.
 */
export async function pushChange(ctx: PresenceContext, account: string, change: RosterChange): Promise<void> {
  if (!change.visible || !change.after) return;
  for (const s of await interestedSessions(ctx, account)) {
    deliverTo(ctx.bus, [s], rosterPush(s.fullJid, change.after, change.after.ver), { urgent: true });
  }
}
