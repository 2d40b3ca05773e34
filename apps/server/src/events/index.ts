export { createEventRoutes, eventRoutes, type EventRoutesOptions } from './event-routes.js';
