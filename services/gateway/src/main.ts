import { runMain } from '@concord/runtime/main';

// Nothing else is imported here: every module of the service, its config included, loads after
// runMain has instrumented the libraries it uses, and the service's own after telemetry is up.
void runMain({
  service: 'gateway',
  loadConfig: async () => (await import('./config.js')).readGatewayConfig,
  create: async (config, telemetry) => (await import('./service.js')).GatewayService.create(config, { metricsHandler: telemetry.metricsHandler }),
});
