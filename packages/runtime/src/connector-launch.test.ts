import { createEnv, SkillsyncError } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { resolveConnectorLaunch } from './connector-launch.js';

const env = createEnv({ home: '/home/ada', cwd: '/work/project', vars: { PATH: '/bin', HOME: '/home/ada', REGION: 'eu', API_KEY: 'env-key-value', OTHER_SECRET: 'do-not-pass' } });
const secrets: Record<string, string> = { GITHUB_TOKEN: 'ghp-secret-value' };
const context = { env, resolveSecret: (name: string) => Promise.resolve(secrets[name]) };

async function failure(promise: Promise<unknown>): Promise<SkillsyncError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SkillsyncError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('resolveConnectorLaunch', () => {
  it('resolves a stdio connector: env references anywhere, secrets into env only, an inherited minimum of variables', async () => {
    const launch = await resolveConnectorLaunch('gh', { command: 'gh-mcp', args: ['--region', '${env:REGION}'], cwd: 'tools', env: { GITHUB_TOKEN: '${secret:GITHUB_TOKEN}', API_KEY: '${env:API_KEY}', AREA: '${env:REGION}' } }, context);
    expect(launch).toEqual({
      kind: 'stdio',
      command: 'gh-mcp',
      args: ['--region', 'eu'],
      cwd: '/work/project/tools',
      env: { PATH: '/bin', HOME: '/home/ada', GITHUB_TOKEN: 'ghp-secret-value', API_KEY: 'env-key-value', AREA: 'eu' },
      // An ${env:…} value counts as a secret under a credential-like name only.
      secrets: ['ghp-secret-value', 'env-key-value'],
    });
  });

  it('resolves a remote connector’s headers and url', async () => {
    const launch = await resolveConnectorLaunch('api', { url: 'https://${env:REGION}.example.com/mcp', transport: 'sse', headers: { Authorization: 'Bearer ${secret:GITHUB_TOKEN}' } }, context);
    expect(launch).toMatchObject({ kind: 'sse', headers: { Authorization: 'Bearer ghp-secret-value' }, secrets: ['ghp-secret-value'] });
    expect(launch.kind === 'sse' && launch.url.href).toBe('https://eu.example.com/mcp');
  });

  it('names a missing secret, and never a value', async () => {
    const error = await failure(resolveConnectorLaunch('gh', { command: 'x', env: { A: '${secret:GITHUB_TOKEN}', B: '${secret:MISSING}' } }, context));
    expect(error.code).toBe('SECRET_NOT_FOUND');
    expect(error.message).toContain('MISSING');
    expect(JSON.stringify(error.toJSON())).not.toContain('ghp-secret-value');
  });

  it('refuses secrets where they would show (args, url, cwd, command) and unset variables', async () => {
    expect((await failure(resolveConnectorLaunch('gh', { command: 'x', args: ['${secret:GITHUB_TOKEN}'] }, context))).code).toBe('GATEWAY_SECRET_PLACEMENT');
    expect((await failure(resolveConnectorLaunch('gh', { url: 'https://h/${secret:GITHUB_TOKEN}' }, context))).code).toBe('GATEWAY_SECRET_PLACEMENT');
    const unset = await failure(resolveConnectorLaunch('gh', { command: 'x', env: { A: '${env:NOPE}' } }, context));
    expect(unset.code).toBe('GATEWAY_REFERENCE_UNSET');
    expect(unset.details).toMatchObject({ connector: 'gh', field: 'env.A', variables: ['NOPE'] });
  });
});
