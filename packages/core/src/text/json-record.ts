/** A JSON object: what a parsed document must be before its fields are read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `text` parsed as a JSON object, or undefined when it is not JSON or not an object: for
 * files and messages skillsync wrote itself, where anything else means damaged or foreign
 * (the caller then starts over rather than failing).
 */
export function parseJsonRecord(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isRecord(value) ? value : undefined;
}
