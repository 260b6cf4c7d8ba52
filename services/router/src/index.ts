export { RouterService, type RouterOptions } from './service';
export { readRouterConfig, routerSpec, type RouterConfig } from './config';
export type { RouterContext } from './context';
