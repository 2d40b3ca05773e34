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

  it('masks JWTs and keeps the key of an assignment readable', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    expect(redactSecrets(`session ${jwt}`)).toBe(`session ${REDACTED}`);
    expect(redactSecrets('export MY_APP_TOKEN=abcd1234 --api-key: qwerty99')).toBe(`export MY_APP_TOKEN=${REDACTED} --api-key: ${REDACTED}`);
  });

  it('stays fast on long inputs built to make a secret pattern backtrack', () => {
    for (const input of ['a.'.repeat(300_000), 'a-'.repeat(300_000), 'token'.repeat(100_000), `-----BEGIN RSA PRIVATE KEY-----${'x'.repeat(200_000)}`]) {
      const started = performance.now();
      redactSecrets(input);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});
