import { registerSecret } from '@skillsync/core';
import { isSkillsyncError } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { isCardNumber, isIban, luhnValid } from './checksums.js';
import { findNestedQuantifier } from './custom-pattern.js';
import { DETECTOR_NAMES, type DetectorName } from './detectors.js';
import { createRedactor } from './redactor.js';

const only = (detector: DetectorName) => createRedactor({ detectors: [detector] });

/** Positive and negative samples per built-in detector; each positive must be found by its detector alone. */
const samples: Record<Exclude<DetectorName, 'known-secret'>, { found: string[]; kept: string[] }> = {
  'private-key': {
    found: ['-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaA==\n-----END OPENSSH PRIVATE KEY-----'],
    kept: ['-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
  },
  jwt: {
    found: ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
    kept: ['eyJhbGciOiJIUzI1NiJ9 alone', 'a.b.c', 'version 1.2.3'],
  },
  'api-key': {
    found: [
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'github_pat_11ABCDEFG0123456789_abcdefghijklmnop',
      'sk-ant-api03-abcdefghijklmnopqrstuvwxyz',
      'sk-proj-abcdefghijklmnopqrstuvwx',
      'xoxb-1234567890-abcdefghij',
      'AIzaSyA1234567890abcdefghijklmnopqrstuv',
      'glpat-abcdefghijklmnopqrst',
      'npm_abcdefghijklmnopqrstuvwxyz0123456789',
      'sk_live_abcdefghijklmnop1234',
      'hf_abcdefghijklmnopqrstuvwxyzABCDEF',
    ],
    kept: ['ghp_short', 'sk-1234', 'task-ant-management', 'the npm_config_cache setting'],
  },
  'aws-key': {
    found: ['AKIAIOSFODNN7EXAMPLE', 'ASIAY34FZKBOKMUTVV7A', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    kept: ['AKIA1234', 'akiaiosfodnn7example', 'AKIAIOSFODNN7EXAMPLEXX'],
  },
  bearer: {
    found: ['Authorization: Bearer abc.def.ghi-123456', 'basic dXNlcjpwYXNzd29yZA=='],
    kept: ['a bearer of news', 'Bearer short'],
  },
  'secret-assignment': {
    found: ['GITHUB_TOKEN=supersecretvalue', 'password: "hunter22"', 'db.api_key = abcd1234'],
    kept: ['GITHUB_TOKEN=${secret:GITHUB_TOKEN}', 'the password is long', 'token: abc'],
  },
  email: {
    found: ['mail ada.lovelace+ai@example.co.uk today', 'x@y.io'],
    kept: ['ada at example dot com', 'user@localhost', '@mention', 'a@b.c'],
  },
  'credit-card': {
    found: ['4111 1111 1111 1111', '5500-0000-0000-0004', '378282246310005', '6011111111111117', '2223000048400011'],
    // Luhn-invalid; Luhn-valid but not a card prefix (ids, timestamps); wrong grouping; inside a word.
    kept: ['4111 1111 1111 1112', '1234567812345670', '1700000000000000008', '41 11 11 11 11 11 11 11', 'order4111111111111111', '12345'],
  },
  iban: {
    found: ['GB82 WEST 1234 5698 7654 32', 'DE89370400440532013000'],
    kept: ['GB82 WEST 1234 5698 7654 33', 'AB12CDEFGHIJKLMNOP', 'DE89 3704'],
  },
};

describe('createRedactor: built-in detectors', () => {
  for (const [detector, { found, kept }] of Object.entries(samples) as [Exclude<DetectorName, 'known-secret'>, { found: string[]; kept: string[] }][]) {
    it(`${detector}: masks each positive and keeps each negative`, () => {
      for (const text of found) {
        const result = only(detector).redactText(`before ${text} after`);
        expect(result.findings, text).toEqual([{ detector, count: 1 }]);
        expect(result.text).toContain(`[REDACTED:${detector}]`);
        expect(result.text).toMatch(/^before .*after$/s);
        // The whole default set finds it too (maybe under a more specific detector) and hides the value.
        expect(createRedactor().redactText(text).text).not.toBe(text);
      }
      for (const text of kept) {
        expect(only(detector).redactText(text), text).toEqual({ text, findings: [], blocked: false });
      }
    });
  }

  it('keeps the scheme of a bearer header readable, and masks a JWT inside it as a JWT', () => {
    expect(createRedactor().redactText('Authorization: Bearer abcdefgh12345').text).toBe('Authorization: Bearer [REDACTED:bearer]');
    const jwt = samples.jwt.found[0]!;
    expect(createRedactor().redactText(`Authorization: Bearer ${jwt}`)).toEqual({
      text: 'Authorization: Bearer [REDACTED:jwt]',
      findings: [{ detector: 'jwt', count: 1 }],
      blocked: false,
    });
  });

  it('masks values registered as known secrets, anywhere, even without a secret shape', () => {
    const value = `plain-${Math.random().toString(36).slice(2)}-words`;
    expect(only('known-secret').redactText(`x ${value} y`).findings).toEqual([]);
    registerSecret(value);
    expect(only('known-secret').redactText(`x ${value} y ${value}`)).toEqual({
      text: 'x [REDACTED:known-secret] y [REDACTED:known-secret]',
      findings: [{ detector: 'known-secret', count: 2 }],
      blocked: false,
    });
    // A redactor built before the secret was registered sees it too.
    const early = createRedactor();
    const later = `a.b*c(${Math.random().toString(36).slice(2)})`;
    registerSecret(later);
    expect(early.redactText(`see ${later}`).text).toBe('see [REDACTED:known-secret]');
  });

  it('counts several findings per detector and sorts them by name', () => {
    const result = createRedactor().redactText('a@example.com, b@example.com, card 4111111111111111, key AKIAIOSFODNN7EXAMPLE');
    expect(result.findings).toEqual([
      { detector: 'aws-key', count: 1 },
      { detector: 'credit-card', count: 1 },
      { detector: 'email', count: 2 },
    ]);
    expect(result.text).toBe('[REDACTED:email], [REDACTED:email], card [REDACTED:credit-card], key [REDACTED:aws-key]');
  });

  it('runs only the detectors asked for', () => {
    const redactor = createRedactor({ detectors: ['email'] });
    expect(redactor.detectors).toEqual(['email']);
    expect(redactor.redactText('a@example.com 4111111111111111').text).toBe('[REDACTED:email] 4111111111111111');
    expect(createRedactor().detectors).toEqual(DETECTOR_NAMES);
  });
});

describe('createRedactor: deep values', () => {
  const result = {
    content: [
      { type: 'text', text: 'Contact ada@example.com' },
      { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' },
    ],
    structuredContent: { user: { email: 'bob@example.org', apiKey: 'opaque-value', visits: 3, tags: ['x', 'AKIAIOSFODNN7EXAMPLE'] } },
    isError: false,
  };

  it('masks strings inside an MCP tool result without touching the input', () => {
    const before = structuredClone(result);
    const { value, findings } = createRedactor().redactValue(result);
    expect(value).toEqual({
      content: [
        { type: 'text', text: 'Contact [REDACTED:email]' },
        { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' },
      ],
      structuredContent: { user: { email: '[REDACTED:email]', apiKey: '[REDACTED:secret-assignment]', visits: 3, tags: ['x', '[REDACTED:aws-key]'] } },
      isError: false,
    });
    expect(findings).toEqual([
      { detector: 'aws-key', count: 1 },
      { detector: 'email', count: 2 },
      { detector: 'secret-assignment', count: 1 },
    ]);
    expect(result).toEqual(before);
    // Unchanged parts are shared, not copied.
    expect(value.content[1]).toBe(result.content[1]);
  });

  it('returns the very same value when nothing is found', () => {
    const clean = { content: [{ type: 'text', text: 'all fine' }], n: 1, nothing: null };
    const out = createRedactor().redactValue(clean);
    expect(out.value).toBe(clean);
    expect(out.findings).toEqual([]);
  });

  it('caps depth and string length, failing closed with findings', () => {
    let deep: unknown = 'leaf';
    for (let index = 0; index < 10; index += 1) deep = [deep];
    expect(createRedactor({ maxDepth: 5 }).redactValue(deep).findings).toEqual([{ detector: 'too-deep', count: 1 }]);
    expect(createRedactor({ maxStringLength: 10 }).redactText('x'.repeat(11))).toEqual({ text: '[REDACTED:oversize]', findings: [{ detector: 'oversize', count: 1 }], blocked: false });
  });
});

describe('createRedactor: block mode', () => {
  it('reports findings and blocked, masks all the same, and never throws', () => {
    const redactor = createRedactor({ mode: 'block' });
    expect(redactor.mode).toBe('block');
    expect(redactor.redactText('mail ada@example.com')).toEqual({ text: 'mail [REDACTED:email]', findings: [{ detector: 'email', count: 1 }], blocked: true });
    expect(redactor.redactText('nothing here')).toEqual({ text: 'nothing here', findings: [], blocked: false });
    expect(redactor.redactValue({ a: ['ada@example.com'] })).toMatchObject({ blocked: true, findings: [{ detector: 'email', count: 1 }] });
    expect(createRedactor().mode).toBe('mask');
  });
});

describe('createRedactor: custom patterns', () => {
  it('masks with the pattern name, after the built-in detectors', () => {
    const redactor = createRedactor({ custom: [{ name: 'employee-id', pattern: 'EMP-\\d{6}' }, { name: 'codename', pattern: 'project (?:falcon|eagle)', flags: 'i' }] });
    expect(redactor.detectors.slice(-2)).toEqual(['employee-id', 'codename']);
    expect(redactor.redactText('EMP-123456 on Project Falcon, EMP-12')).toEqual({
      text: '[REDACTED:employee-id] on [REDACTED:codename], EMP-12',
      findings: [
        { detector: 'codename', count: 1 },
        { detector: 'employee-id', count: 1 },
      ],
      blocked: false,
    });
  });

  it('refuses bad patterns at creation with REDACTION_PATTERN_INVALID', () => {
    const refused = (pattern: string, flags?: string, name = 'custom'): string => {
      try {
        createRedactor({ custom: [{ name, pattern, ...(flags === undefined ? {} : { flags }) }] });
      } catch (error) {
        if (isSkillsyncError(error) && error.code === 'REDACTION_PATTERN_INVALID') return error.message;
        throw error;
      }
      throw new Error(`accepted ${pattern}`);
    };
    expect(refused('(unclosed')).toMatch(/not a valid regular expression/);
    expect(refused('a*')).toMatch(/matches the empty string/);
    expect(refused('x', 'g')).toMatch(/flags "g" are not allowed/);
    expect(refused('x', 'ii')).toMatch(/flags/);
    expect(refused('(a+)+$')).toMatch(/repeats something that already repeats/);
    expect(refused('x', undefined, 'Bad Name')).toMatch(/the name must be/);
    expect(refused('x', undefined, 'email')).toMatch(/built-in detector/);
    expect(() => createRedactor({ custom: [{ name: 'a', pattern: 'x' }, { name: 'a', pattern: 'y' }] })).toThrow(/named "a"/);
  });

  it('spots nested quantifiers, and only those', () => {
    for (const pattern of ['(a+)+', '(a*)*', '(\\w+\\s?)*', '(?:x|y+)+', '((ab)+c)*', '(a{2,})+', '(?:[a-z]+\\.)+com']) expect(findNestedQuantifier(pattern), pattern).toBeDefined();
    for (const pattern of ['(ab)+', '(a+)?', '[(a+)+]', '\\(a+\\)+', 'EMP-\\d{6}', '(a{2})+', '(?:ab|cd){1,3}']) expect(findNestedQuantifier(pattern), pattern).toBeUndefined();
  });
});

describe('checksums', () => {
  it('Luhn, card prefixes and IBAN mod 97', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(isCardNumber('4111111111111111')).toBe(true);
    expect(isCardNumber('1111111111111117')).toBe(false);
    expect(isIban('GB82WEST12345698765432')).toBe(true);
    expect(isIban('GB82WEST12345698765431')).toBe(false);
  });
});

describe('createRedactor: hostile input', () => {
  it('scans megabyte strings built to make naive patterns backtrack in well under a second', () => {
    const redactor = createRedactor();
    const inputs = [
      'a'.repeat(1_000_000),
      `${'a.'.repeat(300_000)}@`,
      `${'a'.repeat(500_000)}@${'b'.repeat(500_000)}`,
      '1'.repeat(1_000_000),
      '1 '.repeat(500_000),
      `-----BEGIN RSA PRIVATE KEY-----${'x'.repeat(100_000)}`.repeat(5),
      'Bearer '.repeat(100_000),
      'token='.repeat(150_000),
      'AB12 '.repeat(200_000),
    ];
    for (const input of inputs) {
      const started = performance.now();
      redactor.redactText(input);
      expect(performance.now() - started, input.slice(0, 20)).toBeLessThan(1000);
    }
  });
});
