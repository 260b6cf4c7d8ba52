export { commonSpec, httpPortVar, httpPortEnv, httpPortOf, SERVICE_HTTP_PORTS, type CommonConfig, type ServiceName } from './common-config';
export { openBaseContext, closeBaseContext, cassandraSettings, type BaseContext, type OpenOptions, type SchemaWatch } from './base-context';
export { ServiceHost, type Worker, type HostOptions } from './host';
// runMain is the `@concord/runtime/main` entry: loading it must not load the Cassandra driver.
export { retryUntil } from './retry';
export { BasicService, type ServiceOptions } from './basic-service';
