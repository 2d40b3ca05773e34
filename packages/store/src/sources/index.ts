export type { FetchedPackage, SkillSource } from './skill-source.js';
export { createLocalFolderSource } from './local-folder-source.js';
export { createTarballSource } from './tarball-source.js';
export {
  createDirectoryRegistrySource,
  directoryRegistryPath,
  publishToDirectoryRegistry,
  type PublishedPackage,
} from './directory-registry-source.js';
export {
  createSourceForResolution,
  resolutionForSpecifier,
  type RegistryReference,
  type RemoteSourceFactory,
  type ResolutionOptions,
  type SourceOptions,
} from './create-skill-source.js';
