import { describe, expect, it } from 'vitest';
import type { DriftedItem } from './contract.js';
import { activeDrift } from './drift-summary.js';

const item = (name: string, handling: DriftedItem['handling']): DriftedItem => ({
  scope: 'user',
  client: 'cursor',
  kind: 'connector',
  name,
  path: '/home/a/.cursor/mcp.json',
  status: 'modified',
  handling,
});

describe('activeDrift', () => {
  it('counts every drifted item but the ignored ones', () => {
    const drift = [item('a', 'repairing'), item('b', 'ignored'), item('c', 'notified'), item('d', 'held')];
    expect(activeDrift(drift).map((entry) => entry.name)).toEqual(['a', 'c', 'd']);
  });
});
