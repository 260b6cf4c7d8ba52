import type { PresenceSessionRecord } from '@concord/registry';
import type { PresenceContext } from '../context';
import type { Target } from '../producers/deliveries';

/** A session of an account as presence sees it: where it is, and its presence state. */
export interface SessionTarget extends Target {
  presence: PresenceSessionRecord;
}

/**
 * The account's sessions that are both registered (bound on a live gateway, which says where
 * to deliver) and known to presence. A record whose session has left the registry is ignored
 * here and removed by the sweep.
 */
export async function presenceTargets(ctx: PresenceContext, account: string): Promise<SessionTarget[]> {
  const [registered, presences] = await Promise.all([ctx.registry.ofAccount(account), ctx.presences.ofAccount(account)]);
  const byJid = new Map(presences.map((p) => [p.fullJid, p]));
  const out: SessionTarget[] = [];
  for (const r of registered) {
    const presence = byJid.get(r.fullJid);
    if (presence) out.push({ fullJid: r.fullJid, gatewayNode: r.gatewayNode, presence });
  }
  return out;
}

/** Sessions that sent available presence (RFC 6121 "available resources"). */
export async function availableSessions(ctx: PresenceContext, account: string): Promise<SessionTarget[]> {
  return (await presenceTargets(ctx, account)).filter((t) => t.presence.available);
}

/** Sessions that asked for the roster (RFC 6121 §2.1.6 "interested resources"): they get roster pushes. */
export async function interestedSessions(ctx: PresenceContext, account: string): Promise<SessionTarget[]> {
  return (await presenceTargets(ctx, account)).filter((t) => t.presence.rosterRequested);
}

/** Runs `f` over `items` with at most `limit` in flight (a roster of hundreds must not burst). */
export async function forEachLimited<T>(items: readonly T[], limit: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await f(items[next++]!);
  }));
}
