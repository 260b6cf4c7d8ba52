import { runMain } from '@concord/runtime/main';

// Nothing else is imported here: every module of the service, its config included, loads after
// runMain has instrumented the libraries it uses, and the service's own after telemetry is up.
void runMain({
  service: 'presence',
  loadConfig: async () => (await import('./config.js')).readPresenceConfig,
  create: async (config, telemetry) => (await import('./service.js')).PresenceService.create(config, { metricsHandler: telemetry.metricsHandler }),
});
