import { ConfigError, type Env } from '@concord/config';
import { instrumentLibraries, startTelemetry, type Telemetry } from '@concord/telemetry';
import type { CommonConfig } from './common-config';
import { settlesWithin } from './settle';

// This file is the package's `@concord/runtime/main` entry: it loads the telemetry library and
// nothing that loads the Cassandra driver, so that runMain can instrument the driver first.

export interface RunnableService {
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export interface MainOptions<C extends CommonConfig> {
  /** Short name: gateway, router, archive, presence, push. */
  service: string;
  /**
   * Loads the service's config module and returns its reader. A config module loads the
   * storage library, hence the driver: runMain calls this once the driver is instrumented.
   */
  loadConfig(): Promise<(env: Env) => C>;
  /** Loads the service module after telemetry is up, and builds the service. */
  create(config: C, telemetry: Telemetry): Promise<RunnableService>;
}

/** Exit code for a configuration error (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

/**
 * The whole of a service's main: instrument the libraries → load and read the config →
 * telemetry → create → start → stop on SIGTERM/SIGINT. Never calls process.exit: the process ends when everything is closed,
 * so in-flight acks and spans are not lost.
 */
export async function runMain<C extends CommonConfig>(opts: MainOptions<C>): Promise<void> {
  const instrumentations = instrumentLibraries();
  let config: C;
  try {
    config = (await opts.loadConfig())(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`concord-${opts.service}: ${err.message}\n`);
    process.exitCode = EXIT_CONFIG;
    return;
  }
  const telemetry = startTelemetry({ serviceName: `concord-${opts.service}`, instrumentations, ...(config.otlpEndpoint ? { otlpEndpoint: config.otlpEndpoint } : {}) });
  let service: RunnableService;
  try {
    service = await opts.create(config, telemetry);
  } catch (err) {
    return failedToStart(opts.service, err, telemetry);
  }
  // Listening before start: its health endpoints may already answer while workers start (a
  // push service filling its account set, say), and a SIGTERM then must still drain, once
  // the start has finished, instead of killing the process.
  let signals = 0;
  let starting: Promise<void> = Promise.resolve();
  const removeListeners = () => {
    process.removeListener('SIGTERM', stop);
    process.removeListener('SIGINT', stop);
  };
  const stop = (signal: NodeJS.Signals) => {
    if (++signals > 1) return; // a second signal while draining changes nothing
    // Also after a failed start (what it opened, e.g. a NATS connection that reconnects for
    // ever, must close), and after a start stuck on a stalled dependency.
    void settlesWithin(starting, config.shutdownTimeout).then(() => service.destroy()).then(() => telemetry.shutdown()).then(removeListeners, (err: unknown) => {
      process.stderr.write(`concord-${opts.service}: error during ${signal} shutdown: ${(err as Error).message}\n`);
      process.exitCode = 1;
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    await (starting = service.start());
  } catch (err) {
    removeListeners();
    // What the start opened is closed, or the process would not end.
    await service.destroy().catch(() => undefined);
    return failedToStart(opts.service, err, telemetry);
  }
  // A stray rejection is a bug to log, not a reason to drop every client of this process.
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`concord-${opts.service}: unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}\n`);
  });
}

async function failedToStart(service: string, err: unknown, telemetry: Telemetry): Promise<void> {
  process.stderr.write(`concord-${service}: failed to start: ${(err as Error).message}\n`);
  process.exitCode = 1;
  await telemetry.shutdown();
}
