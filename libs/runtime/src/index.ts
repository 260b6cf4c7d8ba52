export { commonSpec, httpPortVar, httpPortEnv, httpPortOf, SERVICE_HTTP_PORTS, type CommonConfig, type ServiceName } from './common-config';
export { openBaseContext, closeBaseContext, cassandraSettings, type BaseContext } from './base-context';
export { ServiceHost, type Worker, type HostOptions } from './host';
export { runMain, EXIT_CONFIG, type MainOptions, type RunnableService } from './main';
export { retryUntil } from './retry';
export { BasicService, type ServiceOptions } from './basic-service';
