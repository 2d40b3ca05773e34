import type { RouteModule } from '../server-context.js';
import { skillReadRoutes } from './skill-read-routes.js';
import { skillWriteRoutes } from './skill-write-routes.js';

/** The skills registry: search, metadata, download, publish, yank / deprecate, dist-tags. */
export const registryRoutes: RouteModule = (app, server) => {
  skillReadRoutes(app, server);
  skillWriteRoutes(app, server);
};

export { catalogueRoutes } from './catalogue-routes.js';
