import { runMain } from '@concord/runtime/main';

// Nothing else is imported here: every module of the service, its config included, loads after
// runMain has instrumented the libraries it uses, and the service's own after telemetry is up.
void runMain({
  service: 'archive',
  loadConfig: async () => (await import('./config.js')).readArchiveConfig,
  create: async (config, telemetry) => (await import('./service.js')).ArchiveService.create(config, { metricsHandler: telemetry.metricsHandler }),
});
