export { parseYamlText, type YamlTextResult } from './parse-yaml.js';
