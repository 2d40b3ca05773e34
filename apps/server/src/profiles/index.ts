export { mergeProfiles, type ScopeProfile } from './merge-profiles.js';
export { profileRoutes } from './profile-routes.js';
export { effectiveProfileOf, readOrgProfiles } from './profile-store.js';
export { meetsRequirement } from './version-requirement.js';
