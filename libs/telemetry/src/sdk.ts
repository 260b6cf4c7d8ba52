import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { concordSampler } from './sampler';

export interface TelemetryOptions {
  /** OpenTelemetry service.name, e.g. "concord-router". */
  serviceName: string;
  serviceVersion?: string;
  /** OTLP/HTTP endpoint for traces; no span export when unset. */
  otlpEndpoint?: string;
  /** Extra span processors (tests pass an in-memory exporter here). */
  spanProcessors?: SpanProcessor[];
  /** Library instrumentations, created by instrumentLibraries() before those libraries loaded. */
  instrumentations?: Instrumentation[];
}

export interface Telemetry {
  /** Serves the Prometheus text exposition of every metric of this process. */
  metricsHandler(req: IncomingMessage, res: ServerResponse): void;
  /** Flushes spans and metrics; safe to call twice. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK for one process. Call it in a service's main before the
 * service's own modules are loaded. This is the only place that configures telemetry.
 */
export function startTelemetry(opts: TelemetryOptions): Telemetry {
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const processors: SpanProcessor[] = [...(opts.spanProcessors ?? [])];
  if (opts.otlpEndpoint) {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/traces` })));
  }
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: opts.serviceName,
      [ATTR_SERVICE_VERSION]: opts.serviceVersion ?? '0.1.0',
    }),
    spanProcessors: processors,
    metricReader: prometheus,
    sampler: concordSampler(),
    // Concord creates its own spans where a stanza's work happens; of the libraries, only those
    // the main hooked before loading them (the Cassandra driver). Nothing is detected on its own.
    instrumentations: opts.instrumentations ?? [],
  });
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    metricsHandler: (req, res) => prometheus.getMetricsRequestHandler(req, res),
    shutdown: () => (stopped ??= sdk.shutdown().catch(() => undefined)),
  };
}
