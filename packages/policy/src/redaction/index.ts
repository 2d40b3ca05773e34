export { isCardNumber, isIban, luhnValid } from './checksums.js';
export { compileCustomPattern, findNestedQuantifier, MAX_CUSTOM_PATTERN_LENGTH, type CustomPattern } from './custom-pattern.js';
export { DETECTOR_NAMES, maskFor, type DetectorName } from './detectors.js';
export {
  createRedactor,
  DEFAULT_MAX_STRING_LENGTH,
  type RedactionFinding,
  type RedactionMode,
  type Redactor,
  type RedactorOptions,
  type RedactTextResult,
  type RedactValueResult,
} from './redactor.js';
