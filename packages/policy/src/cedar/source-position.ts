/** Converts Cedar's source offsets (UTF-8 bytes into the text it was given) into 1-based lines and columns. */
export interface TextPositions {
  readonly text: string;
  /** Line and column (1-based, in characters) of a byte offset into the text. */
  readonly at: (byteOffset: number) => { line: number; column: number };
  /** The byte offset of a character index. */
  readonly byteOffsetOf: (index: number) => number;
}

export function textPositions(text: string): TextPositions {
  let bytes: Buffer | undefined;
  const ascii = Buffer.byteLength(text, 'utf8') === text.length;
  const charIndex = (byteOffset: number): number => {
    if (ascii) return Math.min(byteOffset, text.length);
    bytes ??= Buffer.from(text, 'utf8');
    return bytes.subarray(0, Math.max(0, byteOffset)).toString('utf8').length;
  };
  return {
    text,
    at: (byteOffset) => {
      const index = charIndex(byteOffset);
      let line = 1;
      let lineStart = 0;
      for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
        line += 1;
        lineStart = i + 1;
      }
      return { line, column: index - lineStart + 1 };
    },
    byteOffsetOf: (index) => (ascii ? index : Buffer.byteLength(text.slice(0, index), 'utf8')),
  };
}
