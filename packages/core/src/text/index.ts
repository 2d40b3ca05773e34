export { levenshtein, suggest, type SuggestOptions } from './suggest.js';
