import { mergeSpecs, readConfig, type ConfigOf, type Env } from '@concord/config';
import { commonSpec, httpPortVar } from '@concord/runtime';

export const routerSpec = mergeSpecs(commonSpec, {
  httpPort: httpPortVar('router'),
});

export type RouterConfig = ConfigOf<typeof routerSpec>;

export function readRouterConfig(env: Env): RouterConfig {
  return readConfig(routerSpec, env);
}
