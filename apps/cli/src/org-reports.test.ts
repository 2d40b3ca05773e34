import { createEnv, type Lockfile } from '@skillsync/core';
import { statusReport } from '@skillsync/registry';
import { describe, expect, it } from 'vitest';
import { buildStatusReport, deviceName, driftLeftBySync } from './org-reports.js';
import type { SyncData } from './run-sync.js';

const lock = (packages: Record<string, string>): Lockfile => ({
  lockfileVersion: 1,
  skills: {},
  packages: Object.fromEntries(Object.entries(packages).map(([key, integrity]) => [key, { resolved: 'registry+https://example.test/v0.1/orgs/acme', integrity }])),
});

describe('buildStatusReport', () => {
  it('lists each locked package once, sorted, counts drift by status, and holds nothing else', () => {
    const report = buildStatusReport({
      device: 'laptop',
      clients: ['cursor', 'claude-code', 'cursor'],
      lockfiles: [lock({ 'team-guide@1.2.0': 'sha512-b', 'alpha@0.1.0': 'sha512-a' }), lock({ 'team-guide@1.2.0': 'sha512-b', 'loose@latest': 'sha512-c' })],
      drift: [{ status: 'modified' }, { status: 'conflict' }, { status: 'modified' }, { status: 'in-sync' }, { status: 'unsupported' }],
    });
    expect(report).toEqual({
      device: 'laptop',
      clients: ['claude-code', 'cursor'],
      // `loose@latest` is no exact version: the server would refuse the whole report for it.
      skills: [
        { name: 'alpha', version: '0.1.0', integrity: 'sha512-a' },
        { name: 'team-guide', version: '1.2.0', integrity: 'sha512-b' },
      ],
      drift: { modified: 2, conflict: 1 },
    });
    expect(statusReport.safeParse(report).success).toBe(true);
  });

  it('reports no drift as an empty count', () => {
    expect(buildStatusReport({ device: 'd', clients: [], lockfiles: [], drift: [] })).toEqual({ device: 'd', clients: [], skills: [], drift: {} });
  });
});

describe('deviceName', () => {
  const env = (vars: Record<string, string> = {}) => createEnv({ home: '/h', cwd: '/h', vars });
  it('is SKILLSYNC_DEVICE when set, else the host name, cut to 100 characters without control characters', () => {
    expect(deviceName(env({ SKILLSYNC_DEVICE: ' work-laptop ' }), () => 'host')).toBe('work-laptop');
    expect(deviceName(env(), () => 'my\u0007host\n')).toBe('myhost');
    expect(deviceName(env({ SKILLSYNC_DEVICE: '' }), () => 'x'.repeat(300))).toHaveLength(100);
    expect(deviceName(env(), () => '\u0001')).toBe('unnamed-device');
  });
});

describe('driftLeftBySync', () => {
  it('keeps the conflicts and the items of skipped paths: the rest the sync repaired', () => {
    const item = (status: string, path: string) => ({ client: 'cursor', scope: 'user', kind: 'connector', name: path, status, path, fix: '' });
    const data = {
      scopes: [
        {
          drift: [item('modified', '/a'), item('conflict', '/b'), item('missing', '/c')],
          applied: { skipped: [{ path: '/c', reason: 'changed meanwhile' }] },
        },
      ],
    } as unknown as Pick<SyncData, 'scopes'>;
    expect(driftLeftBySync(data).map((left) => left.status)).toEqual(['conflict', 'missing']);
  });
});
