/**
 * All-in-one mode: the five services in one process, for small deployments and development.
 * They still talk to each other over NATS exactly as separate processes do; only the process
 * boundary is gone (one telemetry SDK, service.name concord-all-in-one).
 */
import type { AllConfig } from './all-in-one-services';
import { runMain } from '@concord/runtime/main';

// The services load lazily (see the service mains): after runMain has instrumented the driver.
void runMain<AllConfig>({
  service: 'all-in-one',
  loadConfig: async () => (await import('./all-in-one-services.js')).readAll,
  create: async (c, telemetry) => (await import('./all-in-one-services.js')).createAll(c, telemetry),
});
