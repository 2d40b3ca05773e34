import { z } from 'zod';

/**
 * The keys a zod schema accepts at `path` inside it, for "did you mean" suggestions
 * on unknown keys. Optional, default, nullable and object-in-union wrappers are
 * looked through; records and arrays descend into their values.
 */
export function knownKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let current: z.ZodType | undefined = schema;
  for (const segment of path) current = current === undefined ? undefined : childSchema(unwrapSchema(current), segment);
  if (current === undefined) return [];
  const inner = unwrapSchema(current);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodUnion) {
      const object = (current.options as readonly z.ZodType[]).find((option) => option instanceof z.ZodObject);
      if (object === undefined) return current;
      current = object;
    } else {
      return current;
    }
  }
}

function childSchema(schema: z.ZodType, segment: string | number): z.ZodType | undefined {
  if (schema instanceof z.ZodObject) return (schema.shape as Record<string, z.ZodType>)[String(segment)];
  if (schema instanceof z.ZodRecord) return schema.valueType as z.ZodType;
  if (schema instanceof z.ZodArray) return schema.element as z.ZodType;
  return undefined;
}
