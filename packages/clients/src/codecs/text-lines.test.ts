import { describe, expect, it } from 'vitest';
import { appendBlock, insertLines, joinLines, removeLines, splitLines } from './text-lines.js';

describe('line splicing', () => {
  it('round-trips text through splitLines/joinLines, mixed endings included', () => {
    for (const text of ['', 'a', 'a\n', 'a\r\nb\nc', '\n\n', 'x\r\n']) expect(joinLines(splitLines(text))).toBe(text);
  });

  it('undoes an append or an insert at the end exactly, with or without a final newline', () => {
    for (const text of ['a = 1', 'a = 1\n', 'a = 1\n\n', '']) {
      const lines = splitLines(text);
      const appended = appendBlock(lines, ['[x]', 'y = 2'], '\n');
      expect(joinLines(removeLines(appended, appended.length - 2, appended.length, 'separated'))).toBe(text);
      const inserted = insertLines(lines, lines.length, ['z'], '\n');
      expect(joinLines(removeLines(inserted, inserted.length - 1, inserted.length, 'exact'))).toBe(text);
    }
  });
});
