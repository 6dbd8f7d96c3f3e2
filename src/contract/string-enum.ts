import { type SchemaOptions, type TUnsafe, Type } from '@sinclair/typebox';

/**
 * A string that is one of `values`. On the wire it is `Type.String({ enum })` key for key (a union of
 * literals would become an `anyOf` and change the OpenAPI document); in TypeScript it is the union
 * of the values, where `Type.String` would type it as any string.
 */
export function StringEnum<const T extends string>(
  values: readonly T[],
  options: SchemaOptions = {},
): TUnsafe<T> {
  return Type.Unsafe<T>(Type.String({ enum: [...values], ...options }));
}
