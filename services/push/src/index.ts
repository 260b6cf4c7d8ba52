export { PushService, type PushOptions } from './service';
export { readPushConfig, pushSpec, type PushConfig } from './config';
export type { PushContext } from './context';
export type { PushTransport, TransportDirectory, Notification, DeliveryOutcome } from './transport/transport';
export { webhookBody, type WebhookBody } from './transport/webhook';
export { notificationId } from './notify/notify-request';
export { pushAccountsWorker, refreshPushAccount } from './settings/push-accounts';
