import { runMain } from '@concord/runtime';
import { readGatewayConfig } from './config';

void runMain({
  service: 'gateway',
  readConfig: readGatewayConfig,
  // Loaded after telemetry has started, so the service's modules are instrumented.
  create: async (config, telemetry) => (await import('./service.js')).GatewayService.create(config, { metricsHandler: telemetry.metricsHandler }),
});
