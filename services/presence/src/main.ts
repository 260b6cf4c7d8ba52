import { runMain } from '@concord/runtime';
import { readPresenceConfig } from './config';

void runMain({
  service: 'presence',
  readConfig: readPresenceConfig,
  // Loaded after telemetry has started, so the service's modules are instrumented.
  create: async (config, telemetry) => (await import('./service.js')).PresenceService.create(config, { metricsHandler: telemetry.metricsHandler }),
});
