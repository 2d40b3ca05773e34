import { createEnv, type Env } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { missingDesktopSession } from './desktop-session.js';

describe('missingDesktopSession', () => {
  const on = (platform: Env['platform'], vars: Record<string, string> = {}): string | undefined =>
    missingDesktopSession(createEnv({ home: '/home/ada', cwd: '/', platform, vars }));

  it('needs DISPLAY or WAYLAND_DISPLAY on Linux', () => {
    expect(on('linux')).toBe('no desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set)');
    expect(on('linux', { DISPLAY: '' })).toBeDefined();
    expect(on('linux', { DISPLAY: ':0' })).toBeUndefined();
    expect(on('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBeUndefined();
  });

  it('always has one on macOS and Windows', () => {
    expect(on('darwin')).toBeUndefined();
    expect(on('win32')).toBeUndefined();
  });
});
