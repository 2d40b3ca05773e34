export { editDistance, suggest, type SuggestOptions } from './suggest.js';
