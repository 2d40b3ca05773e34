import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUDIT_RECORD_VERSION, canonicalRecord, type AuditFields } from './audit-chain.js';
import { parseAuditTime } from './audit-time.js';
import { canonicalJson, digestArguments } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys by byte order at every level, without whitespace, dropping undefined members', () => {
    expect(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: undefined, B: 2 }], é: 1.5, Z: 'z' })).toBe('{"Z":"z","a":[true,null,{"B":2,"d":"x"}],"b":1,"é":1.5}');
    expect(canonicalJson([undefined, () => 1])).toBe('[null,null]');
    expect(canonicalJson('a"b\n')).toBe('"a\\"b\\n"');
  });

  it('gives equal text for equal values whatever their key order', () => {
    expect(canonicalJson({ x: { q: 1, p: [2, { s: 3, r: 4 }] }, w: 0 })).toBe(canonicalJson({ w: 0, x: { p: [2, { r: 4, s: 3 }], q: 1 } }));
  });
});

describe('digestArguments', () => {
  it('is sha256:<hex> of the canonical JSON, and {} when there are no arguments', () => {
    const expected = `sha256:${createHash('sha256').update('{"a":[1,{"c":3,"d":2}],"b":1}').digest('hex')}`;
    expect(digestArguments({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe(expected);
    expect(digestArguments(undefined)).toBe(digestArguments({}));
    expect(digestArguments({ query: 'x' })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('gives equal objects the same digest whatever the key order, and keeps their JSON value', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(digestArguments(reversed)).toBe(digestArguments(value));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('never holds the arguments themselves', () => {
    const digest = digestArguments({ password: 'hunter2', user: 'ada' });
    expect(digest).toBe(`sha256:${createHash('sha256').update('{"password":"hunter2","user":"ada"}').digest('hex')}`);
    expect(digest).not.toContain('hunter2');
  });
});

describe('parseAuditTime', () => {
  const now = new Date('2026-03-10T12:00:00.000Z');

  it('reads durations back from now', () => {
    expect(parseAuditTime('30m', now).toISOString()).toBe('2026-03-10T11:30:00.000Z');
    expect(parseAuditTime('1h', now).toISOString()).toBe('2026-03-10T11:00:00.000Z');
    expect(parseAuditTime('7d', now).toISOString()).toBe('2026-03-03T12:00:00.000Z');
    expect(parseAuditTime('2w', now).toISOString()).toBe('2026-02-24T12:00:00.000Z');
    expect(parseAuditTime('45s', now).toISOString()).toBe('2026-03-10T11:59:15.000Z');
  });

  it('reads dates and times as UTC unless they say otherwise', () => {
    expect(parseAuditTime('2026-03-01', now).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseAuditTime('2026-03-01T08:30', now).toISOString()).toBe('2026-03-01T08:30:00.000Z');
    expect(parseAuditTime('2026-03-01 08:30:15', now).toISOString()).toBe('2026-03-01T08:30:15.000Z');
    expect(parseAuditTime('2026-03-01T08:30:00+02:00', now).toISOString()).toBe('2026-03-01T06:30:00.000Z');
  });

  it('refuses anything else with INVALID_INPUT', () => {
    for (const text of ['', 'yesterday', '7 days', '1y', '2026-13-45', '-1h']) {
      expect(() => parseAuditTime(text, now), text).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });
});

describe('canonicalRecord', () => {
  it('is the canonical JSON of the record fields with v, for full, sparse and odd records', () => {
    const records: AuditFields[] = [
      { time: '2026-01-01T00:00:00.000Z', principal: 'p', client: 'c', action: 'callTool', decision: 'allow', outcome: 'ok' },
      {
        time: '2026-01-01T00:00:00.000Z',
        principal: 'ada "the" <admin>',
        client: 'claude-code',
        action: 'callTool',
        connector: 'github',
        target: 'github__create_issue\n',
        argumentsDigest: `sha256:${'a'.repeat(64)}`,
        decision: 'deny',
        policyIds: ['b', 'a', 'é'],
        policyVersion: 'v3',
        latencyMs: 12.345,
        outcome: 'denied',
        detail: 'ünïcödé ✓',
      },
      { time: 'x', principal: 'p', client: 'c', action: 'a', decision: 'allow', outcome: 'ok', latencyMs: 0, policyIds: [] },
    ];
    for (const fields of records) expect(canonicalRecord(fields)).toBe(canonicalJson({ v: AUDIT_RECORD_VERSION, ...fields }));
  });
});
