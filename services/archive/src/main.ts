import { runMain } from '@concord/runtime';
import { readArchiveConfig } from './config';

void runMain({
  service: 'archive',
  readConfig: readArchiveConfig,
  // Loaded after telemetry has started, so the service's modules are instrumented.
  create: async (config, telemetry) => (await import('./service.js')).ArchiveService.create(config, { metricsHandler: telemetry.metricsHandler }),
});
