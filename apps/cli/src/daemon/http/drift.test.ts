import { describe, expect, it } from 'vitest';
import { whyNotAdoptable } from './drift.js';

describe('whyNotAdoptable', () => {
  it('lets a connector someone edited, or wrote under our name, be adopted', () => {
    expect(whyNotAdoptable({ kind: 'connector', status: 'modified' })).toBeUndefined();
    expect(whyNotAdoptable({ kind: 'connector', status: 'conflict' })).toBeUndefined();
  });

  it('says what to do instead for everything else', () => {
    expect(whyNotAdoptable({ kind: 'connector', status: 'missing' })).toContain('Repair puts it back');
    expect(whyNotAdoptable({ kind: 'connector', status: 'outdated' })).toContain('manifest changed');
    expect(whyNotAdoptable({ kind: 'skill', status: 'modified' })).toContain('source folder');
    expect(whyNotAdoptable({ kind: 'instructions', status: 'modified' })).toContain('manifest');
  });
});
