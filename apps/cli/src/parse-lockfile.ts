// Loaded on demand (project.ts): the lockfile parser brings semver and the YAML parser,
// which a `status` or no-op `sync` answered from the parsed-files cache never needs.
import { parseLockfile } from '@skillsync/core';

export { parseLockfile };
