import { findSecretLiterals } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { credentialParts, extractSecrets, secretName } from './extract-secrets.js';

/** The connector with each placeholder shown as `<NAME>`, for readable expectations. */
function shown(connectorName: string, connector: Parameters<typeof extractSecrets>[1]) {
  const { connector: out, secrets } = extractSecrets(connectorName, connector);
  let json = JSON.stringify(out);
  for (const secret of secrets) json = json.replaceAll(secret.placeholder, `<${secret.suggestedName}>`);
  return { connector: JSON.parse(json) as Record<string, unknown>, secrets: secrets.map(({ suggestedName, value, field }) => ({ suggestedName, value, field })) };
}

describe('extractSecrets', () => {
  it('takes an env credential whole, named after its variable', () => {
    const result = shown('github', { command: 'npx', env: { GITHUB_TOKEN: 'ghp_0123456789abcdefghijklmnopqrstuv', LOG: 'debug' } });
    expect(result.connector.env).toEqual({ GITHUB_TOKEN: '<GITHUB_TOKEN>', LOG: 'debug' });
    expect(result.secrets).toEqual([{ suggestedName: 'GITHUB_TOKEN', value: 'ghp_0123456789abcdefghijklmnopqrstuv', field: 'env.GITHUB_TOKEN' }]);
  });

  it('keeps the auth scheme of a header in the template', () => {
    const result = shown('linear', { url: 'https://mcp.linear.app/mcp', headers: { Authorization: 'Bearer lin_api_secretvalue', 'X-Api-Key': 'abc123def456' } });
    expect(result.connector.headers).toEqual({ Authorization: 'Bearer <LINEAR_TOKEN>', 'X-Api-Key': '<LINEAR_X_API_KEY>' });
    expect(result.secrets.map((secret) => secret.value)).toEqual(['lin_api_secretvalue', 'abc123def456']);
  });

  it('keeps a flag name and replaces only its value; a bare token in args is replaced whole', () => {
    const result = shown('db', { command: 'db-mcp', args: ['--api-key=sk-abcdefghijklmnopqrstuvwx', 'ghp_0123456789abcdefghijklmnopqrstuv', '--verbose'] });
    expect(result.connector.args).toEqual(['--api-key=<DB_API_KEY>', '<DB_TOKEN>', '--verbose']);
  });

  it('replaces a URL password and credential query values, leaving the rest of the URL', () => {
    const result = shown('search', { url: 'https://user:hunter2pass@search.example.com/mcp?api_key=abcd1234efgh&region=eu' });
    expect(result.connector.url).toBe('https://user:<SEARCH_PASSWORD>@search.example.com/mcp?api_key=<SEARCH_API_KEY>&region=eu');
    expect(result.secrets.map((secret) => secret.value)).toEqual(['hunter2pass', 'abcd1234efgh']);
  });

  it('leaves references and harmless values alone, and finds nothing to take', () => {
    const connector = { command: 'x', env: { TOKEN: '${env:TOKEN}', DEBUG: 'true', AUTH_HEADER: 'Bearer ${secret:X}' } };
    expect(extractSecrets('x', connector)).toEqual({ connector, secrets: [] });
  });

  it('leaves no literal the manifest would refuse', () => {
    const connectors = [
      { command: 'npx', env: { OPENAI_API_KEY: 'sk-proj-abcdefghijklmnopqrstuvwxyz', PASSWORD: 'p4ss' } },
      { url: 'https://x.example.com/sse?token=abcdefabcdef', headers: { Cookie: 'session=abc', Authorization: 'Basic dXNlcjpwYXNzd29yZA==' } },
      { command: 'run', args: ['--token', 'glpat-abcdefghijklmnopqrstu', 'AKIAABCDEFGHIJKLMNOP'] },
    ];
    for (const connector of connectors) {
      const { connector: out, secrets } = extractSecrets('svc', connector);
      let json = JSON.stringify(out);
      for (const secret of secrets) json = json.replaceAll(secret.placeholder, `\${secret:${secret.suggestedName}}`);
      expect(findSecretLiterals(JSON.parse(json) as typeof connector)).toEqual([]);
      for (const secret of secrets) expect(json).not.toContain(secret.value);
    }
  });
});

describe('credentialParts', () => {
  it('splits a value into literal text and the credential-shaped parts', () => {
    expect(credentialParts('token ghp_0123456789abcdefghijklmnopqrstuv for ci')).toEqual([
      { text: 'token ', secret: false },
      { text: 'ghp_0123456789abcdefghijklmnopqrstuv', secret: true },
      { text: ' for ci', secret: false },
    ]);
    expect(credentialParts('plain')).toEqual([{ text: 'plain', secret: false }]);
  });
});

describe('secretName', () => {
  it('makes a store name of any text', () => {
    expect(secretName('my-server_X-Api-Key')).toBe('MY_SERVER_X_API_KEY');
    expect(secretName('1password')).toBe('_1PASSWORD');
    expect(secretName('---')).toBe('SECRET');
  });
});
