export { RouterService, type RouterOptions } from './service';
export { readRouterConfig, routerSpec, type RouterConfig } from './config';
export type { RouterContext } from './context';
// The routing of one message, for tests that replay what a router that died had done.
export { routeMessage } from './routing/route-message';
export { AppliedThrough } from './routing/applied-through';
export { IdCheck } from './routing/id-check';
export type { RouteContext, InboundStanza } from './routing/route-context';
