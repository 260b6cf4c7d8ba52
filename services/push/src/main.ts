import { runMain } from '@concord/runtime';
import { readPushConfig } from './config';

void runMain({
  service: 'push',
  readConfig: readPushConfig,
  // Loaded after telemetry has started, so the service's modules are instrumented.
  create: async (config, telemetry) => (await import('./service.js')).PushService.create(config, { metricsHandler: telemetry.metricsHandler }),
});
