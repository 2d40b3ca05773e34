import { describe, expect, it } from 'vitest';
import { credentialPatterns, REDACTED, redactSecrets, registerSecret } from './redact.js';
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

  it('masks skillsync org server tokens wherever they appear', () => {
    const token = `ssk_${'Ab3-_x'.repeat(7)}Q`;
    expect(token).toHaveLength(47);
    expect(redactSecrets(`login failed for ${token}.`)).toBe(`login failed for ${REDACTED}.`);
    // Not a token: too short, so it stays.
    expect(redactSecrets('ssk_short')).toBe('ssk_short');
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

  it('masks every credential shape on its own, in any case its pattern allows', () => {
    const examples: Record<string, string> = {
      'pem-private-key': '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl',
      'github-token': `github_pat_${'A1b2'.repeat(6)}`,
      'openai-anthropic-key': `sk-proj-${'x9'.repeat(12)}`,
      'slack-token': 'xoxb-1234567890-abcdefghij',
      'google-api-key': `AIza${'Sy_-0'.repeat(7)}`,
      'gitlab-token': `glpat-${'z'.repeat(20)}`,
      'npm-token': `npm_${'n0'.repeat(18)}`,
      'stripe-key': `rk_live_${'s'.repeat(16)}`,
      'huggingface-token': `hf_${'h'.repeat(30)}`,
      'skillsync-token': `ssk_${'k'.repeat(43)}`,
      'sendgrid-key': `SG.${'a'.repeat(16)}.${'b'.repeat(16)}`,
      'aws-access-key-id': `ASIA${'Q'.repeat(16)}`,
      // Quoted with ', which the secret-assignment pattern does not take: only the AWS pattern finds it.
      'aws-secret-access-key': `AWS_Secret_Access_Key='${'w'.repeat(40)}'`,
      bearer: 'curl -H "bearer abcdefgh12345"',
    };
    expect(Object.keys(examples).sort()).toEqual(credentialPatterns.map(({ name }) => name).sort());
    for (const [name, example] of Object.entries(examples)) {
      const out = redactSecrets(`see ${example} here`);
      expect(out, name).toContain(REDACTED);
      expect(out, name).not.toBe(`see ${example} here`);
    }
    expect(redactSecrets('curl -H "bearer abcdefgh12345"')).toBe(`curl -H "bearer ${REDACTED}"`);
  });

  it('masks a secret registered after the same text was found clean (and remembered)', () => {
    const text = 'callTool github__issue_late-registered-value';
    expect(redactSecrets(text)).toBe(text);
    expect(redactSecrets({ target: text })).toEqual({ target: text });
    registerSecret('late-registered-value');
    expect(redactSecrets(text)).toBe(`callTool github__issue_${REDACTED}`);
    expect(redactSecrets({ target: text })).toEqual({ target: `callTool github__issue_${REDACTED}` });
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
