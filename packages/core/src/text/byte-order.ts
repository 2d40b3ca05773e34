/**
 * Orders strings by their UTF-16 code units (JavaScript's `<`): the same on every machine
 * and in every locale, unlike `localeCompare`, so every listing skillsync prints and every
 * key order it writes is deterministic. For the ASCII names, keys and paths it sorts, this
 * is byte order.
 */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `byteOrder` of the keys of `[key, value]` entries (`Object.entries(…).sort(byEntryKey)`). */
export function byEntryKey(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  return byteOrder(a[0], b[0]);
}
