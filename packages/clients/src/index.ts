export { defineClient, type ClientAdapter, type DetectionMarker } from './define-client.js';
export { clientAdapters } from './registry.js';
export { detectClients, type DetectedClient } from './detect-clients.js';
