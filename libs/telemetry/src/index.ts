export { startTelemetry, type Telemetry, type TelemetryOptions } from './sdk';
export { startHealthServer, type HealthServer, type HealthServerOptions, type ReadinessCheck } from './health-server';
