import { createHash } from 'node:crypto';
import type { Delivered, Verdict } from '@concord/bus';
import type { PushRequest } from '@concord/events';
import type { Logger } from '@concord/log';
import type { SessionRegistry } from '@concord/registry';
import type { NotifyPrefsStore, PushRegistration, PushRegistrationStore, PushSentStore } from '@concord/storage';
import type { PushMetrics } from '../metrics';
import type { DeliveryOutcome } from '../transport/transport';
import type { TransportDirectory } from '../transport/transport';
import { decidePush } from './decide';
import { deviceConnected } from './devices';
import { retryDelay } from './retry';
import { buildSummary } from './summary';

export interface NotifyDeps {
  registrations: PushRegistrationStore;
  sent: PushSentStore;
  prefs: NotifyPrefsStore;
  sessions: SessionRegistry;
  transports: TransportDirectory;
  retry: { baseMs: number; maxMs: number };
  /** The push consumer's max_deliver: the delivery after which nobody retries. */
  maxDeliveries: number;
  metrics: PushMetrics;
  log: Logger;
}

/** message-count is exact up to this many notifications since the device's last login. */
const COUNT_CAP = 999;

/** Stable per message and device, and says nothing about the account: app servers de-duplicate by it. */
export function notificationId(account: string, device: string, archiveId: string): string {
  return createHash('sha256').update(`${account}\n${device}\n${archiveId}`).digest('base64url').slice(0, 32);
}

/**
 * One push request: each enabled registration of the account whose device is not connected
 * gets one notification, unless the account's preferences hold it back. Devices already
 * notified of this message (an earlier delivery of the request) are skipped; if any device's
 * app server failed transiently, the request is redelivered later with backoff, and after the
 * last delivery the failure is recorded on those registrations and the request removed.
 */
export async function notifyRequest(deps: NotifyDeps, d: Delivered<PushRequest>): Promise<Verdict> {
  const req = d.value;
  const registrations = (await deps.registrations.list(req.account)).filter((r) => r.disabled === undefined);
  if (registrations.length === 0) {
    deps.metrics.requests.add(1, { decision: 'no-device' });
    return { kind: 'ack' };
  }
  const decision = decidePush(req, await deps.prefs.get(req.account, req.conversation));
  if (!decision.push) {
    deps.metrics.requests.add(1, { decision: 'held' });
    deps.log.debug({ account: req.account, archiveId: req.archiveId, reason: decision.reason }, 'no push');
    return { kind: 'ack' };
  }
  deps.metrics.requests.add(1, { decision: 'notify' });
  const sessions = await deps.sessions.ofAccount(req.account);
  const asleep = registrations.filter((r) => !deviceConnected(sessions, r.device));
  const outcomes = await Promise.all(asleep.map(async (r) => ({ r, outcome: await notifyDevice(deps, req, r) })));
  const failed = outcomes.filter((o): o is { r: PushRegistration; outcome: Extract<DeliveryOutcome, { kind: 'transient' }> } => o.outcome.kind === 'transient');
  if (failed.length === 0) return { kind: 'ack' };
  const detail = failed.map((f) => `${f.r.appServer}: ${f.outcome.detail}`).join('; ');
  if (d.deliveryCount >= deps.maxDeliveries) return giveUp(deps, req, failed.map((f) => f.r), d.deliveryCount, detail);
  const retryAfter = Math.max(0, ...failed.map((f) => f.outcome.retryAfterMs ?? 0));
  return { kind: 'retry', delayMs: retryDelay(d.deliveryCount, deps.retry.baseMs, deps.retry.maxMs, retryAfter), reason: detail };
}

async function notifyDevice(deps: NotifyDeps, req: PushRequest, r: PushRegistration): Promise<DeliveryOutcome> {
  // Notified by an earlier delivery of this request: never twice.
  if (await deps.sent.has(req.account, r.device, req.archiveId)) return { kind: 'delivered' };
  const transport = deps.transports.forAppServer(r.appServer);
  const messageCount = (await deps.sent.count(req.account, r.device, COUNT_CAP)) + 1;
  const outcome: DeliveryOutcome = transport
    ? await transport.send({
      id: notificationId(req.account, r.device, req.archiveId),
      appServer: r.appServer,
      node: r.node,
      publishOptions: r.publishOptions,
      summary: buildSummary({ messageCount, sender: req.from, body: req.body, publishOptions: r.publishOptions }),
    })
    : { kind: 'permanent', reason: 'unsupported', detail: `no transport reaches ${r.appServer}` };
  deps.metrics.notifications.add(1, { outcome: outcome.kind, transport: transport?.kind ?? 'none' });
  if (outcome.kind === 'delivered') {
    await deps.sent.mark(req.account, r.device, req.archiveId, new Date());
  } else if (outcome.kind === 'permanent') {
    const done = await deps.registrations.disable(r, outcome.reason, new Date());
    if (done) deps.metrics.disabled.add(1, { reason: outcome.reason });
    deps.log.warn({ account: req.account, device: r.device, appServer: r.appServer, reason: outcome.reason, detail: outcome.detail, disabled: done }, 'push registration disabled');
  }
  return outcome;
}

async function giveUp(deps: NotifyDeps, req: PushRequest, regs: PushRegistration[], deliveries: number, detail: string): Promise<Verdict> {
  const text = `gave up on ${req.archiveId} after ${deliveries} attempts: ${detail}`;
  await Promise.all(regs.map((r) => deps.registrations.recordFailure(req.account, r.device, text, new Date())));
  deps.metrics.notifications.add(regs.length, { outcome: 'given-up', transport: 'any' });
  deps.log.error({ account: req.account, devices: regs.map((r) => r.device) }, text);
  // Acked, not terminated: nats-server 2.9 keeps terminated messages in a work-queue stream.
  return { kind: 'ack' };
}
