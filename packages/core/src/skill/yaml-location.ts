import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SourceLocation } from './skill-finding.js';

/**
 * Finds where `path` sits in a parsed YAML (or JSON) document: the key when the path
 * ends on a map entry, the item for sequence indexes, or the nearest ancestor that
 * exists. `lineOffset` shifts lines when the document was cut out of a larger file.
 */
export function locateYamlPath(
  document: Document,
  lineCounter: LineCounter,
  path: readonly (string | number)[],
  lineOffset = 0,
): SourceLocation | undefined {
  let node: unknown = document.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : toLocation(lineCounter, offset, lineOffset);
}

export function toLocation(lineCounter: LineCounter, offset: number, lineOffset = 0): SourceLocation {
  const { line, col } = lineCounter.linePos(offset);
  return { line: line + lineOffset, column: col };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Partial<Node> | null | undefined)?.range;
  return range?.[0];
}
