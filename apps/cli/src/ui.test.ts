import { describe, expect, it } from 'vitest';
import { createTerminalProgress, createUi, shouldUseColor } from './ui.js';

describe('shouldUseColor', () => {
  it.each([
    [{ isTTY: true, vars: {}, noColorFlag: false }, true],
    [{ isTTY: false, vars: {}, noColorFlag: false }, false],
    [{ isTTY: true, vars: { NO_COLOR: '1' }, noColorFlag: false }, false],
    [{ isTTY: true, vars: { NO_COLOR: '' }, noColorFlag: false }, true],
    [{ isTTY: true, vars: { TERM: 'dumb' }, noColorFlag: false }, false],
    [{ isTTY: false, vars: { FORCE_COLOR: '1' }, noColorFlag: false }, true],
    [{ isTTY: true, vars: { FORCE_COLOR: '0' }, noColorFlag: false }, false],
    [{ isTTY: true, vars: { FORCE_COLOR: '1', NO_COLOR: '1' }, noColorFlag: false }, true],
    [{ isTTY: true, vars: { FORCE_COLOR: '1' }, noColorFlag: true }, false],
  ])('%j → %s', (input, expected) => {
    expect(shouldUseColor(input)).toBe(expected);
  });
});

describe('createUi', () => {
  it('styles only when colour is on', () => {
    expect(createUi({ color: false }).red('x')).toBe('x');
    expect(createUi({ color: true }).red('x')).toBe('\x1b[31mx\x1b[39m');
  });
});

describe('createTerminalProgress', () => {
  it('redraws at most every 80 ms, always shows the last item, and clears its line', () => {
    let now = 0;
    const writes: string[] = [];
    const progress = createTerminalProgress((text) => writes.push(text), 'installing', () => now);
    progress.update(1, 3);
    now = 10;
    progress.update(2, 3);
    now = 20;
    progress.update(3, 3, 'done');
    progress.done();
    expect(writes).toHaveLength(3);
    expect(writes[0]).toMatch(/installing 1\/3$/);
    expect(writes[1]).toMatch(/installing 3\/3 done$/);
    expect(writes[2]).toBe('\r\x1b[2K');
  });

  it('shows just the label for work of unknown size, and writes nothing when never started', () => {
    const writes: string[] = [];
    createTerminalProgress((text) => writes.push(text), 'idle', () => 0).done();
    expect(writes).toEqual([]);
    const progress = createTerminalProgress((text) => writes.push(text), 'verifying', () => 0);
    progress.update();
    progress.done();
    expect(writes[0]?.startsWith('\r\x1b[2K')).toBe(true);
    expect(writes[0]?.endsWith(' verifying')).toBe(true);
    expect(writes.at(-1)).toBe('\r\x1b[2K');
  });
});
