/** The parts of all-in-one mode (all-in-one.ts): one configuration and one runnable of the five services. */
import { ConfigError, type Env } from '@concord/config';
import { ArchiveService, readArchiveConfig } from '@concord/archive';
import { GatewayService, readGatewayConfig } from '@concord/gateway';
import { PresenceService, readPresenceConfig } from '@concord/presence';
import { PushService, readPushConfig } from '@concord/push';
import { RouterService, readRouterConfig } from '@concord/router';
import type { CommonConfig } from '@concord/runtime';
import type { RunnableService } from '@concord/runtime/main';
import type { Telemetry } from '@concord/telemetry';

const readers = {
  gateway: readGatewayConfig,
  router: readRouterConfig,
  archive: readArchiveConfig,
  presence: readPresenceConfig,
  push: readPushConfig,
};

export type AllConfig = CommonConfig & { services: { [K in keyof typeof readers]: ReturnType<(typeof readers)[K]> } };

/** Reads every service's configuration and reports all problems of all services at once. */
export function readAll(env: Env): AllConfig {
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

/** The five services of one process, in start order. */
export async function createAll(c: AllConfig, telemetry: Telemetry): Promise<RunnableService> {
  const m = { metricsHandler: telemetry.metricsHandler };
  return new AllInOne([
    await GatewayService.create(c.services.gateway, m),
    await RouterService.create(c.services.router, m),
    await ArchiveService.create(c.services.archive, m),
    await PresenceService.create(c.services.presence, m),
    await PushService.create(c.services.push, m),
  ]);
}
