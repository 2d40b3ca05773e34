export { connectorTarget, connectorTransport, MANIFEST_FILE, MANIFEST_SCHEMA_ID, MANIFEST_VERSION, GATEWAY_ENTRY_NAME } from './manifest-names.js';
export {
  manifestSchema,
  manifestJsonSchema,
  type Manifest,
  type ManifestInput,
  type ConnectorDefinition,
  type InstructionDefinition,
  type TrustConfig,
  type GatewayConfig,
  type GatewayPrincipalConfig,
  type GatewayRedactionConfig,
} from './manifest-schema.js';
export { parseManifest, type ManifestFinding, type ManifestParseResult, type ParseManifestOptions } from './parse-manifest.js';
export {
  parseSkillSpecifier,
  formatSkillSpecifier,
  rangeOf,
  type SkillSpecifier,
  type SkillSpecifierInput,
  type SkillSpecifierObject,
  type SpecifierParseResult,
} from './parse-skill-specifier.js';
export { findSecretLiterals, type SecretLiteral } from './find-secret-literals.js';
export {
  addSkillToManifest,
  removeSkillFromManifest,
  setSkillSpecifier,
  createManifestText,
  renderSpecifier,
  type CreateManifestOptions,
} from './edit-manifest.js';
export { addManifestEntries, removeManifestConnector, replaceManifestConnector, type ManifestAdditions } from './add-manifest-entries.js';
export {
  landingScope,
  mergeManifests,
  type EffectiveConnector,
  type EffectiveInstruction,
  type EffectiveManifest,
  type EffectiveSkill,
  type EffectiveTrustKey,
  type ManifestFileScope,
  type ManifestScope,
  type Provenance,
  type ScopedManifest,
  type Sourced,
} from './merge-manifests.js';
export {
  applyOrgProfiles,
  meetsRequirement,
  refuseConnector,
  type ApplyOrgProfilesOptions,
  type OrgLayerResult,
  type OrgProfileLayer,
  type ProfileViolation,
  type ProfileViolationKind,
} from './apply-org-profiles.js';
export { findProjectManifest, readManifestFile, loadManifests, type LoadedManifest, type LoadedManifests, type LoadManifestsOptions } from './find-project-manifest.js';
export { parseManifestCached, type ManifestCache } from './parsed-manifest-cache.js';
