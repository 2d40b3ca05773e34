export { editDistance, suggest, type SuggestOptions } from './suggest.js';
export { knownKeysAt } from './schema-keys.js';
