import { credentialPatterns, isSecretReference, knownSecretValues, REDACTION_DETECTOR_NAMES, secretAssignmentPattern, type CredentialKind, type RedactionDetectorName } from '@skillsync/core';
import { isCardNumber, isIban } from './checksums.js';

/** The built-in detectors, in the order they scan (the list is core's, which the manifest schema uses too). */
export const DETECTOR_NAMES = REDACTION_DETECTOR_NAMES;

export type DetectorName = RedactionDetectorName;

/** `[REDACTED:<detector>]`: what a match is replaced with. */
export function maskFor(detector: string): string {
  return `[REDACTED:${detector}]`;
}

/** One pass over a string: returns it masked and reports how many matches it masked. */
export interface Detector {
  readonly name: string;
  readonly scan: (text: string, found: (detector: string, count: number) => void) => string;
}

interface RegexDetectorOptions {
  /** A substring every match contains: a string without it is skipped without running the regex. */
  readonly literal?: string;
  /** Keeps a candidate match unmasked when it returns false (checksums, references). */
  readonly accept?: (match: string, groups: readonly (string | undefined)[]) => boolean;
  /** The replacement; default `[REDACTED:<name>]`. */
  readonly mask?: (match: string, groups: readonly (string | undefined)[]) => string;
}

export function regexDetector(name: string, pattern: RegExp, options: RegexDetectorOptions = {}): Detector {
  const mask = maskFor(name);
  const { literal, accept } = options;
  return {
    name,
    scan: (text, found) => {
      if (literal !== undefined && !text.includes(literal)) return text;
      let count = 0;
      const out = text.replace(pattern, (match: string, ...rest: unknown[]) => {
        // replace() passes the groups, then the offset (a number): stop there.
        const end = rest.findIndex((item) => typeof item === 'number');
        const groups = (end === -1 ? rest : rest.slice(0, end)) as (string | undefined)[];
        if (accept !== undefined && !accept(match, groups)) return match;
        count += 1;
        return options.mask === undefined ? mask : options.mask(match, groups);
      });
      if (count > 0) found(name, count);
      return out;
    },
  };
}

/**
 * Core's credential patterns of some kinds as one global regex (one pass), or several
 * when their flags differ. The patterns are core's list, so there is one list to extend.
 */
function credentialRegexes(kind: CredentialKind): RegExp[] {
  const byFlags = new Map<string, string[]>();
  for (const pattern of credentialPatterns) {
    if (pattern.kind !== kind) continue;
    const sources = byFlags.get(pattern.pattern.flags) ?? [];
    sources.push(`(?:${pattern.pattern.source})`);
    byFlags.set(pattern.pattern.flags, sources);
  }
  return [...byFlags].map(([flags, sources]) => new RegExp(sources.join('|'), flags.includes('g') ? flags : `${flags}g`));
}

function credentialDetector(name: DetectorName, kind: CredentialKind, options: RegexDetectorOptions = {}): Detector {
  const parts = credentialRegexes(kind).map((regex) => regexDetector(name, regex, options));
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  return { name, scan: (text, found) => parts.reduce((out, part) => part.scan(out, found), text) };
}

/**
 * Values registered with core's `registerSecret`, as one alternation (longest first),
 * rebuilt when the set grows (it never shrinks).
 */
function knownSecretDetector(): Detector {
  let size = -1;
  let inner: Detector | undefined;
  return {
    name: 'known-secret',
    scan: (text, found) => {
      const secrets = knownSecretValues();
      if (secrets.size === 0) return text;
      if (secrets.size !== size) {
        size = secrets.size;
        const sources = [...secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
        inner = regexDetector('known-secret', new RegExp(sources.join('|'), 'g'));
      }
      return inner === undefined ? text : inner.scan(text, found);
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

const REDACTED_PREFIX = '[REDACTED';

/** The built-in detectors by name. Each regex is linear on any input (bounded or literal-anchored repetition). */
export function builtInDetector(name: DetectorName): Detector {
  switch (name) {
    case 'known-secret':
      return knownSecretDetector();
    case 'private-key':
      return credentialDetector(name, 'private-key', { literal: '-----BEGIN ' });
    case 'jwt':
      return credentialDetector(name, 'jwt', { literal: 'eyJ' });
    case 'api-key':
      return credentialDetector(name, 'api-key');
    case 'aws-key':
      return credentialDetector(name, 'aws-key');
    case 'bearer':
      return credentialDetector(name, 'bearer', { mask: (_match, [scheme]) => `${scheme ?? 'Bearer'} ${maskFor('bearer')}` });
    case 'secret-assignment':
      return regexDetector(name, new RegExp(secretAssignmentPattern.source, secretAssignmentPattern.flags), {
        accept: (_match, [, , , value]) => value !== undefined && !isSecretReference(value) && !/^(?:bearer|basic)$/i.test(value) && !value.startsWith(REDACTED_PREFIX),
        mask: (_match, [key, separator, quote]) => `${key ?? ''}${separator ?? ''}${quote ?? ''}${maskFor('secret-assignment')}${quote ?? ''}`,
      });
    case 'email':
      // The lookbehind starts a match only where a run of address characters starts, and
      // every part is bounded, so a long run without "@" costs linear time.
      return regexDetector(
        name,
        /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g,
        { literal: '@' },
      );
    case 'credit-card':
      return regexDetector(
        name,
        /(?<![0-9A-Za-z])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|\d{4}([ -])\d{6}\2\d{4,5})(?![0-9A-Za-z])/g,
        { accept: (match) => isCardNumber(match.replace(/[ -]/g, '')) },
      );
    case 'iban':
      return regexDetector(name, /(?<![0-9A-Za-z])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![0-9A-Za-z])/g, {
        accept: (match) => isIban(match.replace(/ /g, '')),
      });
  }
}
