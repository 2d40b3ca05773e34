import { LineCounter, parseDocument } from 'yaml';
import type { SourceLocation } from '../skill/skill-finding.js';
import { locateYamlPath, toLocation } from '../skill/yaml-location.js';

export type YamlTextResult =
  | {
      readonly ok: true;
      /** The document as plain data (maps become objects). */
      readonly value: unknown;
      /** Where a path of keys and indexes sits in the text (its nearest existing ancestor), 1-based. */
      readonly locate: (path: readonly (string | number)[]) => SourceLocation | undefined;
    }
  | { readonly ok: false; readonly message: string; readonly location?: SourceLocation };

/**
 * Parses YAML (or JSON) for a library that checks the shape itself and reports problems
 * with a line: the parse error with its position, or the value with a locator. Total:
 * never throws. Duplicate keys are an error, as in the manifest.
 */
export function parseYamlText(text: string): YamlTextResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const error = document.errors[0];
  if (error !== undefined) {
    const offset = error.pos[0];
    return { ok: false, message: error.message.split('\n')[0] ?? error.message, location: toLocation(lineCounter, offset) };
  }
  let value: unknown;
  try {
    // maxAliasCount guards against alias bombs ("billion laughs").
    value = document.toJS({ maxAliasCount: 100 });
  } catch (thrown) {
    return { ok: false, message: thrown instanceof Error ? thrown.message : String(thrown) };
  }
  return { ok: true, value, locate: (path) => locateYamlPath(document, lineCounter, path) };
}
