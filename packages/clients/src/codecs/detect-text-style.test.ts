import { describe, expect, it } from 'vitest';
import { detectTextStyle } from './detect-text-style.js';

describe('detectTextStyle', () => {
  it('finds the dominant line ending, the indentation unit and the final newline', () => {
    expect(detectTextStyle('{\r\n\t"a": {\r\n\t\t"b": 1\r\n\t}\r\n}')).toEqual({ eol: '\r\n', indent: '\t', finalNewline: false });
    expect(detectTextStyle('a:\n    b:\n        c: 1\n    d: 2\n')).toEqual({ eol: '\n', indent: '    ', finalNewline: true });
    expect(detectTextStyle('{\n      "deep": 1\n}\n').indent).toBe('      ');
    expect(detectTextStyle('')).toEqual({ eol: '\n', indent: '  ', finalNewline: false });
  });
});
