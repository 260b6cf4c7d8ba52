import { httpPortOf, type ServiceName } from '@concord/runtime';

export function healthUrl(service: ServiceName, env: NodeJS.ProcessEnv): string {
  return `http://${env['CONCORD_HTTP_HOST'] || '127.0.0.1'}:${httpPortOf(service, env)}`;
}
