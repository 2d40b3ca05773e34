import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectorNameProblem, exposeNames, namespacedName, splitNamespacedName, type NameClaim } from './namespacing.js';

// The manifest's connector name rule (core manifest-schema), narrowed by the gateway's.
const connectorName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/).filter((name) => connectorNameProblem(name) === undefined);
const toolName = fc.string({ minLength: 1, maxLength: 30 });

describe('namespacing', () => {
  it('splits every exposed name back into the connector and the upstream name', () => {
    fc.assert(
      fc.property(connectorName, toolName, (connector, name) => {
        expect(splitNamespacedName(namespacedName(connector, name))).toEqual({ connector, name });
      }),
    );
  });

  it('never maps two different (connector, name) pairs to one exposed name', () => {
    fc.assert(
      fc.property(connectorName, toolName, connectorName, toolName, (c1, n1, c2, n2) => {
        fc.pre(c1 !== c2 || n1 !== n2);
        expect(namespacedName(c1, n1)).not.toBe(namespacedName(c2, n2));
      }),
    );
  });

  it('refuses connector names that would make the separator ambiguous', () => {
    expect(connectorNameProblem('git__hub')).toContain('"__"');
    expect(connectorNameProblem('github_')).toContain('ends with "_"');
    expect(connectorNameProblem('git_hub.v2-beta')).toBeUndefined();
    expect(namespacedName('github', 'create__issue')).toBe('github__create__issue');
    expect(splitNamespacedName('github__create__issue')).toEqual({ connector: 'github', name: 'create__issue' });
    expect(splitNamespacedName('nothing')).toBeUndefined();
  });

  it('exposes names within the 2025-11-25 tool-name character set when both parts are', () => {
    fc.assert(
      fc.property(connectorName, fc.stringMatching(/^[A-Za-z0-9_.-]{1,40}$/), (connector, name) => {
        expect(namespacedName(connector, name)).toMatch(/^[A-Za-z0-9_.-]+$/);
      }),
    );
  });
});

describe('exposeNames', () => {
  const claim = (owner: string, name: string): NameClaim => ({ owner, name });

  it('prefixes every name under always', () => {
    expect(exposeNames([claim('github', 'search'), claim('jira', 'create')], 'always')).toEqual(['github__search', 'jira__create']);
  });

  it('keeps a name offered by one connector only, and prefixes every claim of a colliding name under auto', () => {
    const claims = [claim('github', 'search'), claim('jira', 'search'), claim('github', 'create_issue'), claim('slack', 'post')];
    expect(exposeNames(claims, 'auto')).toEqual(['github__search', 'jira__search', 'create_issue', 'post']);
  });

  it('never exposes a connector name bare under one of the gateway’s own names', () => {
    expect(exposeNames([claim('a', 'skillsync__list_skills'), claim('a', 'x')], 'auto', new Set(['skillsync__list_skills']))).toEqual(['a__skillsync__list_skills', 'x']);
  });

  it('prefixes a bare name that equals the prefixed name of a colliding one, transitively', () => {
    // b and c both offer `x`, so b's is `b__x`; a's own `b__x` must then step aside too,
    // and so must d's `a__b__x` once a's becomes `a__b__x`.
    const claims = [claim('d', 'a__b__x'), claim('a', 'b__x'), claim('b', 'x'), claim('c', 'x')];
    expect(exposeNames(claims, 'auto')).toEqual(['d__a__b__x', 'a__b__x', 'b__x', 'c__x']);
  });

  const connector = fc.constantFrom('a', 'b', 'c', 'git-hub', 'x.y');
  const name = fc.oneof(fc.constantFrom('x', 'y', 'a__x', 'b__x', 'a__b__x', 'skillsync__load_skill'), fc.string({ minLength: 1, maxLength: 6 }));
  const claimsArb = fc.uniqueArray(fc.record({ owner: connector, name }), { selector: (c) => `${c.owner}\u0000${c.name}`, maxLength: 12 });

  it('is injective and order-independent under auto', () => {
    fc.assert(
      fc.property(claimsArb, (claims) => {
        const reserved = new Set(['skillsync__load_skill']);
        const exposed = exposeNames(claims, 'auto', reserved);
        expect(new Set(exposed).size).toBe(claims.length);
        for (const name of exposed) expect(reserved.has(name)).toBe(false);
        const reversed = exposeNames([...claims].reverse(), 'auto', reserved).reverse();
        expect(reversed).toEqual(exposed);
        // Bare only when no other connector offers the name.
        claims.forEach((c, index) => {
          if (exposed[index] === c.name) expect(claims.filter((other) => other.name === c.name)).toHaveLength(1);
          else expect(exposed[index]).toBe(namespacedName(c.owner, c.name));
        });
      }),
    );
  });
});
