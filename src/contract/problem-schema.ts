import { type TSchema, Type } from '@sinclair/typebox';

/** Every error answer: an RFC 9457 problem document with a stable `code`. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem document' },
);

/**
 * The error answers of a route, by status: each a reference to `Problem`, which the app registers
 * once, so the OpenAPI document lists it once under components.
 */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, Type.Ref('Problem')])) as Record<number, TSchema>;
