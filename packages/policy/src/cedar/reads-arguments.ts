import type { PolicyJson } from './cedar-wasm.js';

/**
 * Whether a policy may observe `context.arguments`. Conservative: `context.client` and
 * `context has client` are safe; any other use of `context` (its `arguments`, or the
 * record as a whole) counts as reading the arguments. A false "yes" only costs caching;
 * a false "no" would serve stale decisions, so anything unrecognised is a "yes".
 */
export function policyReadsArguments(policy: PolicyJson): boolean {
  return policy.conditions.some((clause) => exprReadsArguments(clause.body));
}

function exprReadsArguments(expr: unknown): boolean {
  if (Array.isArray(expr)) return expr.some(exprReadsArguments);
  if (expr === null || typeof expr !== 'object') return false;
  const node = expr as Record<string, unknown>;
  for (const operator of ['.', 'has']) {
    const access = node[operator];
    if (isRecord(access) && isContext(access.left)) {
      const attr: unknown = Array.isArray(access.attr) ? access.attr[0] : access.attr;
      return attr !== 'client';
    }
  }
  if (node.Var === 'context') return true;
  return Object.values(node).some(exprReadsArguments);
}

function isContext(value: unknown): boolean {
  return isRecord(value) && value.Var === 'context';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
