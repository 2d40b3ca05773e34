export { parityOf, type DeviceReport } from './parity-of.js';
export { parityRoutes } from './parity-routes.js';
