/** The services concordctl knows, with their default health ports (CONCORD_<SERVICE>_HTTP_PORT overrides). */
export const SERVICE_PORTS = { gateway: 9101, router: 9102, archive: 9103, presence: 9104, push: 9105 } as const;
export type ServiceName = keyof typeof SERVICE_PORTS;

export function healthUrl(service: ServiceName, env: NodeJS.ProcessEnv): string {
  const host = env['CONCORD_HTTP_HOST'] || '127.0.0.1';
  const port = env[`CONCORD_${service.toUpperCase()}_HTTP_PORT`] || SERVICE_PORTS[service];
  return `http://${host}:${port}`;
}
