export { startTelemetry, type Telemetry, type TelemetryOptions } from './sdk';
export { startHealthServer, type HealthServer, type HealthServerOptions, type ReadinessCheck } from './health-server';
export { inSpan, countOnActiveSpan, annotateActiveSpan, traceLogFields } from './spans';
export { consumerLagSampler, type ConsumerLagSampler, type ConsumerLagOptions, type ConsumerRef, type ConsumerCounts } from './consumer-lag';
export { secondsSince, startTimer } from './timing';
export { instrumentLibraries, DRIVER_SPAN_PREFIX } from './instrumentations';
