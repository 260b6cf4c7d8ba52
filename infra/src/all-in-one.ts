/**
 * All-in-one mode: the five services in one process, for small deployments and development.
 * They still talk to each other over NATS exactly as separate processes do; only the process
 * boundary is gone (one telemetry SDK, service.name concord-all-in-one).
 */
import { ConfigError, type Env } from '@concord/config';
import { ArchiveService, readArchiveConfig } from '@concord/archive';
import { GatewayService, readGatewayConfig } from '@concord/gateway';
import { PresenceService, readPresenceConfig } from '@concord/presence';
import { PushService, readPushConfig } from '@concord/push';
import { RouterService, readRouterConfig } from '@concord/router';
import { runMain, type CommonConfig, type RunnableService } from '@concord/runtime';

const readers = {
  gateway: readGatewayConfig,
  router: readRouterConfig,
  archive: readArchiveConfig,
  presence: readPresenceConfig,
  push: readPushConfig,
};

type AllConfig = CommonConfig & { services: { [K in keyof typeof readers]: ReturnType<(typeof readers)[K]> } };

/** Reads every service's configuration and reports all problems of all services at once. */
function readAll(env: Env): AllConfig {
  const problems = new Set<string>();
  const services: Record<string, unknown> = {};
  for (const [name, read] of Object.entries(readers)) {
    try {
      services[name] = read(env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      err.problems.forEach((p) => problems.add(p));
    }
  }
  if (problems.size > 0) throw new ConfigError([...problems]);
  const s = services as AllConfig['services'];
  return { ...s.router, services: s };
}

class AllInOne implements RunnableService {
  constructor(private readonly parts: RunnableService[]) {}

  async start(): Promise<void> {
    for (const p of this.parts) await p.start();
  }

  async destroy(): Promise<void> {
    // The gateway first (no new stanzas), then the services that work on what it accepted.
    for (const p of this.parts) await p.destroy();
  }
}

void runMain<AllConfig>({
  service: 'all-in-one',
  readConfig: readAll,
  create: async (c, telemetry) => {
    const m = { metricsHandler: telemetry.metricsHandler };
    return new AllInOne([
      await GatewayService.create(c.services.gateway, m),
      await RouterService.create(c.services.router, m),
      await ArchiveService.create(c.services.archive, m),
      await PresenceService.create(c.services.presence, m),
      await PushService.create(c.services.push, m),
    ]);
  },
});
