import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets, registerSecret } from './redact.js';
import { SkillsyncError } from './skillsync-error.js';

describe('redactSecrets', () => {
  it('masks provider tokens, bearer headers, private keys and secret assignments', () => {
    const text = [
      'token ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'Authorization: Bearer abc.def.ghi-123456',
      'key sk-ant-api03-abcdefghijklmnopqrstuvwxyz',
      'GITHUB_TOKEN=supersecretvalue',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----',
    ].join('\n');
    const out = redactSecrets(text);
    expect(out).not.toMatch(/ghp_abc|abc\.def|sk-ant-api03-abc|supersecretvalue|AAAA/);
    expect(out).toContain(`Bearer ${REDACTED}`);
  });

  it('keeps secret references readable', () => {
    expect(redactSecrets('GITHUB_TOKEN=${secret:GITHUB_TOKEN}')).toBe('GITHUB_TOKEN=${secret:GITHUB_TOKEN}');
    expect(redactSecrets({ env: { API_KEY: '${env:API_KEY}' } })).toEqual({ env: { API_KEY: '${env:API_KEY}' } });
  });

  it('masks values under sensitive keys in nested details and registered secrets anywhere', () => {
    registerSecret('hunter2-the-planted-value');
    const out = redactSecrets({ headers: { Authorization: 'x' }, list: ['see hunter2-the-planted-value'] });
    expect(out).toEqual({ headers: { Authorization: REDACTED }, list: [`see ${REDACTED}`] });
  });

  it('is applied to every SkillsyncError message and detail', () => {
    const error = new SkillsyncError('INVALID_INPUT', 'bad token ghp_abcdefghijklmnopqrstuvwxyz0123456789', {
      details: { password: 'p4ssw0rd!' },
    });
    expect(JSON.stringify(error.toJSON())).not.toMatch(/ghp_abc|p4ssw0rd/);
    expect(error.hint.length).toBeGreaterThan(0);
  });
});
