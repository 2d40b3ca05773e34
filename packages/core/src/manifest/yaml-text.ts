import { isCollection, isPair } from 'yaml';

/* Offsets into YAML text from the `yaml` library's node ranges, for edits that keep every other byte. */

export function nodeStart(node: unknown): number {
  return (node as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
}

export function nodeEnd(node: unknown): number {
  return (node as { range?: [number, number, number] } | null)?.range?.[1] ?? 0;
}

/** Where a node's own text ends, leaving out comments and blank lines a block collection trails. */
export function contentEnd(node: unknown): number {
  if (isPair(node)) return node.value === null ? nodeEnd(node.key) : contentEnd(node.value);
  if (isCollection(node) && !node.flow) {
    const last: unknown = node.items.at(-1);
    if (last !== undefined) return contentEnd(last);
  }
  return nodeEnd(node);
}

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset after the newline ending the line that holds `offset`. */
export function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

/**
 * `text` without the lines of `pair`, an entry of the block mapping `map` whose key ends
 * at `keyEnd`. When it was the last entry the key says `{}`: an empty block reads as null.
 */
export function cutMapEntry(text: string, map: { readonly items: readonly unknown[] }, pair: { readonly key: unknown }, keyEnd: number): string {
  const edited = text.slice(0, lineStart(text, nodeStart(pair.key))) + text.slice(lineEnd(text, contentEnd(pair) - 1));
  if (map.items.length !== 1) return edited;
  const colon = edited.indexOf(':', keyEnd);
  return `${edited.slice(0, colon + 1)} {}${edited.slice(colon + 1)}`;
}
