import { describe, expect, it } from 'vitest';
import { renderInstructionsContent } from './render-instructions.js';

describe('renderInstructionsContent', () => {
  it('puts each instruction under its heading, and says which files a scoped one is for', () => {
    expect(
      renderInstructionsContent([
        { id: 'style', content: 'Prefer small functions.\r\n' },
        { id: 'tests', content: 'Use vitest.', scope: 'src/**/*.test.ts' },
      ]),
    ).toBe('## style\n\nPrefer small functions.\n\n## tests\n\nApplies to files matching `src/**/*.test.ts`.\n\nUse vitest.');
  });
});
