import { auditRoutes } from './audit/index.js';
import { eventRoutes } from './events/index.js';
import { identityRoutes } from './identity/index.js';
import { parityRoutes } from './parity/index.js';
import { profileRoutes } from './profiles/index.js';
import { catalogueRoutes, registryRoutes } from './registry/index.js';
import type { RouteModule } from './server-context.js';

/** Every part of the API, in the order they are mounted (none shares a route with another). */
export const serverRouteModules: readonly RouteModule[] = [identityRoutes, registryRoutes, catalogueRoutes, profileRoutes, eventRoutes, parityRoutes, auditRoutes];
