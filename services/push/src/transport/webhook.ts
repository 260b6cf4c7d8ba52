import type { PublishOptions } from '@concord/storage';
import { summaryFields } from '../notify/summary';
import { classifyHttpStatus, classifyRequestError } from './classify';
import type { DeliveryOutcome, Notification, PushTransport, TransportDirectory } from './transport';

/**
 * The JSON body POSTed to an app server's webhook (docs/push.md). The account's JID is not in
 * it: as with a XEP-0357 pubsub publish, the node is all the app server needs.
 */
export interface WebhookBody {
  id: string;
  app_server: string;
  node: string;
  summary: Record<string, string | number>;
  /** Publish-options fields by var; a multi-valued field's values joined by newlines. */
  publish_options: Record<string, string>;
}

export function webhookBody(n: Notification): WebhookBody {
  return { id: n.id, app_server: n.appServer, node: n.node, summary: summaryFields(n.summary), publish_options: flatten(n.publishOptions) };
}

function flatten(options: PublishOptions): Record<string, string> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, v.join('\n')]));
}

/** POSTs notifications as JSON to one URL; the Idempotency-Key header repeats the notification id. */
export function webhookTransport(url: URL, timeoutMs: number): PushTransport {
  return {
    kind: 'webhook',
    async send(n: Notification): Promise<DeliveryOutcome> {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': n.id, 'user-agent': 'Concord-Push/0.1' },
          body: JSON.stringify(webhookBody(n)),
          // A redirected POST would become a GET elsewhere: the configured URL must answer.
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        return classifyRequestError(err);
      }
      // Read the body so that the connection can be reused; its content does not matter.
      await res.arrayBuffer().catch(() => undefined);
      return classifyHttpStatus(res.status, res.headers.get('retry-after'));
    },
  };
}

/** Every configured app server reached by its webhook. */
export function webhookDirectory(appServers: ReadonlyMap<string, URL>, timeoutMs: number): TransportDirectory {
  const transports = new Map([...appServers].map(([jid, url]) => [jid, webhookTransport(url, timeoutMs)]));
  return {
    forAppServer: (jid) => transports.get(jid),
    available: transports.size > 0,
  };
}
