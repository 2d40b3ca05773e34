/**
 * How the gateway names what several servers offer, so nothing collides.
 *
 * Two modes (`namespace` on the gateway, `--namespace` on `skillsync serve`,
 * `gateway.namespace` in the manifest):
 *
 * - `always` (the default): every tool and prompt is exposed as `<connector>__<name>`.
 *   A name never changes while its connector keeps it, whatever other connectors come
 *   and go.
 * - `auto`: a tool or prompt is exposed under its own name when no other owner (another
 *   connector, or the gateway's own skills) offers the same name and that name is not
 *   one of the gateway's own tools; only the colliding ones get the `<connector>__`
 *   prefix (every one of them, so none is privileged). The mapping is a pure function of
 *   the (owner, name) pairs, so it is deterministic and stays the same as long as the
 *   connectors and their lists do; adding a connector that offers a name already in use
 *   renames the existing tool too, which is why `auto` is not the default.
 *
 * Tools and prompts are separate name spaces (a tool and a prompt may share a name).
 *
 * The 2025-11-25 revision says tool names SHOULD be 1-128 characters of
 * `A-Z a-z 0-9 _ - .` (SEP-986); `/`, `:` and spaces are outside that set, and many
 * clients refuse them, so the separator is made of `_`: two of them, which few
 * connector names contain.
 *
 * The prefixed form is unambiguous because a connector name the gateway accepts neither
 * contains `__` nor ends with `_`: the first `__` of an exposed name is then always the
 * separator, whatever the upstream name contains (`a` + `b__c` is `a__b__c`, and no
 * connector `a__b` can exist to produce the same string). The gateway refuses other
 * connector names with GATEWAY_CONNECTOR_NAME_INVALID.
 *
 * Resources keep their URIs (URIs are already global); `skill://` URIs get a
 * per-connector segment (gateway-skills.ts).
 */
export const NAMESPACE_SEPARATOR = '__';

/** The longest tool name the 2025-11-25 revision recommends. */
export const MAX_TOOL_NAME_LENGTH = 128;

export type NamespaceMode = 'always' | 'auto';

export const NAMESPACE_MODES: readonly NamespaceMode[] = ['always', 'auto'];

/** The default: names that never change when a connector is added (see above). */
export const DEFAULT_NAMESPACE_MODE: NamespaceMode = 'always';

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

/** One tool or prompt to name: who offers it (a connector, or the gateway itself) and its own name. */
export interface NameClaim {
  readonly owner: string;
  readonly name: string;
}

/**
 * The exposed name of each claim, in the order given. `reserved` holds names the
 * gateway uses itself (its own tools): under `auto` no claim is exposed bare under one
 * of them. Under both modes the result is injective for distinct (owner, name) pairs
 * whose owners are valid connector names.
 *
 * `auto`, precisely: a claim is exposed bare when its name is offered by one owner only
 * and is neither reserved nor equal to the prefixed name of a claim that is exposed
 * prefixed; every other claim is prefixed. The second rule is applied until nothing
 * changes (a name that falls back to its prefix can only add prefixed names), so the
 * result does not depend on the order of the claims.
 */
export function exposeNames(claims: readonly NameClaim[], mode: NamespaceMode, reserved: ReadonlySet<string> = new Set()): string[] {
  if (mode === 'always') return claims.map((claim) => namespacedName(claim.owner, claim.name));
  const owners = new Map<string, Set<string>>();
  for (const { owner, name } of claims) {
    let set = owners.get(name);
    if (set === undefined) owners.set(name, (set = new Set()));
    set.add(owner);
  }
  const prefixed = claims.map(({ name }) => (owners.get(name)?.size ?? 0) > 1 || reserved.has(name));
  for (let changed = true; changed; ) {
    changed = false;
    const taken = new Set<string>();
    claims.forEach((claim, index) => {
      if (prefixed[index] === true) taken.add(namespacedName(claim.owner, claim.name));
    });
    claims.forEach((claim, index) => {
      if (prefixed[index] !== true && taken.has(claim.name)) {
        prefixed[index] = true;
        changed = true;
      }
    });
  }
  return claims.map((claim, index) => (prefixed[index] === true ? namespacedName(claim.owner, claim.name) : claim.name));
}
