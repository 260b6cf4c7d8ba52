import { runMain } from '@concord/runtime';
import { readRouterConfig } from './config';

void runMain({
  service: 'router',
  readConfig: readRouterConfig,
  // Loaded after telemetry has started, so the service's modules are instrumented.
  create: async (config, telemetry) => (await import('./service.js')).RouterService.create(config, { metricsHandler: telemetry.metricsHandler }),
});
