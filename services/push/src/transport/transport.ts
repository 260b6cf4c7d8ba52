/**
 * How a notification reaches an app server (XEP-0357 §6). The webhook transport exists now;
 * an XMPP transport (a pubsub publish to the app server's JID over server-to-server links) is
 * another implementation of PushTransport, chosen per app server by the directory.
 */
import type { PublishOptions } from '@concord/storage';
import type { Summary } from '../notify/summary';

/** One notification for one device. */
export interface Notification {
  /** The same for every attempt of this notification to this device: app servers de-duplicate by it. */
  id: string;
  appServer: string;
  node: string;
  publishOptions: PublishOptions;
  summary: Summary;
}

export type PermanentReason =
  /** The app server says the node is gone (HTTP 404/410; item-not-found over XMPP). */
  | 'gone'
  /** The app server refused the request for good (another 4xx). */
  | 'rejected'
  /** No transport reaches the app server any more (it left the configuration). */
  | 'unsupported';

export type DeliveryOutcome =
  | { kind: 'delivered' }
  /** Worth retrying later; `retryAfterMs` when the app server said when. */
  | { kind: 'transient'; detail: string; retryAfterMs?: number }
  /** Retrying cannot help: the registration is disabled and the device told at its next login. */
  | { kind: 'permanent'; reason: PermanentReason; detail: string };

export interface PushTransport {
  /** For logs and metrics, e.g. "webhook". */
  readonly kind: string;
  send(n: Notification): Promise<DeliveryOutcome>;
}

/** Which transport reaches which app server. */
export interface TransportDirectory {
  forAppServer(jid: string): PushTransport | undefined;
  /** At least one app server is reachable: push works (disco#info lists urn:xmpp:push:0). */
  readonly available: boolean;
}
