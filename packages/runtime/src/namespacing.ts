/**
 * How the gateway names what several servers offer, so nothing collides.
 *
 * Tools and prompts are exposed as `<connector>__<name>`. The 2025-11-25 revision says
 * tool names SHOULD be 1-128 characters of `A-Z a-z 0-9 _ - .` (SEP-986); `/`, `:` and
 * spaces are outside that set, and many clients refuse them, so the separator is made
 * of `_`: two of them, which few connector names contain.
 *
 * The mapping is unambiguous because a connector name the gateway accepts neither
 * contains `__` nor ends with `_`: the first `__` of an exposed name is then always the
 * separator, whatever the upstream name contains (`a` + `b__c` is `a__b__c`, and no
 * connector `a__b` can exist to produce the same string). The gateway refuses other
 * connector names with GATEWAY_CONNECTOR_NAME_INVALID.
 *
 * Resources keep their URIs (URIs are already global); see `catalog.ts` for a clash.
 */
export const NAMESPACE_SEPARATOR = '__';

/** The longest tool name the 2025-11-25 revision recommends. */
export const MAX_TOOL_NAME_LENGTH = 128;

export function namespacedName(connector: string, name: string): string {
  return `${connector}${NAMESPACE_SEPARATOR}${name}`;
}

/** The connector and upstream name of an exposed name, or undefined when it has no separator. */
export function splitNamespacedName(exposed: string): { readonly connector: string; readonly name: string } | undefined {
  const at = exposed.indexOf(NAMESPACE_SEPARATOR);
  if (at <= 0) return undefined;
  return { connector: exposed.slice(0, at), name: exposed.slice(at + NAMESPACE_SEPARATOR.length) };
}

/** Why a connector name cannot be namespaced unambiguously, or undefined when it can. */
export function connectorNameProblem(name: string): string | undefined {
  if (name.includes(NAMESPACE_SEPARATOR)) return `it contains "${NAMESPACE_SEPARATOR}", the separator of the names the gateway exposes`;
  if (name.endsWith('_')) return 'it ends with "_", which would run into the "__" separator of the names the gateway exposes';
  if (name.length === 0) return 'it is empty';
  return undefined;
}
