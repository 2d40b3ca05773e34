import { SkillsyncError } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { applySettingsFlags, defaultDaemonSettings, parseDaemonSettings } from './settings.js';

const file = '/home/ada/.config/skillsync/daemon.yaml';

function failure(run: () => unknown): SkillsyncError {
  try {
    run();
  } catch (error) {
    if (error instanceof SkillsyncError) return error;
    throw error;
  }
  throw new Error('expected a SkillsyncError');
}

describe('parseDaemonSettings', () => {
  it('takes the defaults for an empty file or one with only comments', () => {
    expect(parseDaemonSettings('', file)).toEqual(defaultDaemonSettings);
    expect(parseDaemonSettings('# nothing yet\n', file)).toEqual(defaultDaemonSettings);
  });

  it('reads one action for every kind, and the settle time', () => {
    expect(parseDaemonSettings('onDrift: notify\nsettleMs: 1200\n', file)).toEqual({
      onDrift: { connector: 'notify', skill: 'notify', instructions: 'notify' },
      settleMs: 1200,
    });
  });

  it('reads an action per kind, keeping the default for a kind left out', () => {
    expect(parseDaemonSettings('onDrift:\n  skill: notify\n  instructions: off\n', file)).toEqual({
      onDrift: { connector: 'repair', skill: 'notify', instructions: 'off' },
      settleMs: defaultDaemonSettings.settleMs,
    });
  });

  it('names the file, line and column of a bad action', () => {
    const error = failure(() => parseDaemonSettings('settleMs: 200\nonDrift:\n  skill: fix\n', file));
    expect(error.code).toBe('DAEMON_SETTINGS_INVALID');
    expect(error.message).toBe(`${file}:3:3: \`onDrift.skill\`: expected repair, notify or off`);
    expect(error.details).toEqual({ file, line: 3, column: 3 });
  });

  it('reports a bad shorthand action against the action, not the per-kind form', () => {
    expect(failure(() => parseDaemonSettings('onDrift: always\n', file)).message).toBe(`${file}:1:1: \`onDrift\`: expected repair, notify or off`);
  });

  it('suggests the key a misspelt one was meant to be', () => {
    const error = failure(() => parseDaemonSettings('setleMs: 100\n', file));
    expect(error.message).toBe(`${file}:1:1: unknown key \`setleMs\`; did you mean \`settleMs\`?`);
    expect(error.hint).toBe('Known keys here: onDrift, settleMs.');
    expect(failure(() => parseDaemonSettings('onDrift:\n  connectors: off\n', file)).message).toContain('unknown key `onDrift.connectors`; did you mean `connector`?');
  });

  it('refuses a settle time that is not a whole number of milliseconds from 100 to a minute', () => {
    expect(failure(() => parseDaemonSettings('settleMs: -1\n', file)).message).toContain('`settleMs`: expected 100 or more');
    expect(failure(() => parseDaemonSettings('settleMs: 50\n', file)).message).toContain('`settleMs`: expected 100 or more');
    expect(failure(() => parseDaemonSettings('settleMs: 1.5\n', file)).message).toContain('`settleMs`: expected a whole number of milliseconds');
    expect(failure(() => parseDaemonSettings('settleMs: 600000\n', file)).message).toContain('`settleMs`: expected at most 60000');
    expect(failure(() => parseDaemonSettings('settleMs: soon\n', file)).message).toContain('`settleMs`: expected a number of milliseconds');
  });

  it('refuses YAML it cannot parse, and a document that is not a mapping', () => {
    const broken = failure(() => parseDaemonSettings('onDrift: [repair\n', file));
    expect(broken.code).toBe('DAEMON_SETTINGS_INVALID');
    expect(broken.message).toMatch(new RegExp(`^${file}:\\d+:\\d+: `));
    expect(failure(() => parseDaemonSettings('- repair\n', file)).message).toContain('the file must be a mapping of settings');
  });
});

describe('applySettingsFlags', () => {
  it('lets the flags win over the file', () => {
    const fromFile = parseDaemonSettings('onDrift:\n  skill: off\nsettleMs: 900\n', file);
    expect(applySettingsFlags(fromFile, { onDrift: 'notify', settle: '100' })).toEqual({
      onDrift: { connector: 'notify', skill: 'notify', instructions: 'notify' },
      settleMs: 100,
    });
    expect(applySettingsFlags(fromFile, { onDrift: undefined, settle: undefined })).toEqual(fromFile);
  });

  it('refuses a bad flag as a usage error', () => {
    expect(failure(() => applySettingsFlags(defaultDaemonSettings, { onDrift: 'fix', settle: undefined })).code).toBe('USAGE');
    expect(failure(() => applySettingsFlags(defaultDaemonSettings, { onDrift: undefined, settle: '2s' })).message).toContain('--settle 2s');
    expect(failure(() => applySettingsFlags(defaultDaemonSettings, { onDrift: undefined, settle: '60001' })).code).toBe('USAGE');
    expect(failure(() => applySettingsFlags(defaultDaemonSettings, { onDrift: undefined, settle: '50' })).message).toContain('from 100 to 60000');
  });
});
