export { editDistance, suggest, type SuggestOptions } from './suggest.js';
export { randomToken } from './random-token.js';
