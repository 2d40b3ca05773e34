import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectorNameProblem, namespacedName, splitNamespacedName } from './namespacing.js';

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
