import { type Static, Type } from '@sinclair/typebox';

/** What the intent data holds, for pickers: the answer of `GET /api/v1/catalog/intent`. */
export const IntentCatalogReply = Type.Object({
  days: Type.Array(Type.String({ format: 'date' }), { description: 'Days with data, ascending' }),
  prefixes: Type.Array(Type.String(), { description: 'Topic prefixes with data, sorted' }),
  scores: Type.Array(Type.String(), { description: 'Scores with data: low, medium, high order' }),
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() }), {
    description: 'Columns of the data (DuckDB types), the partition columns day, prefix and score included',
  }),
  files: Type.Integer(),
  rows: Type.Integer({ description: 'Rows of every file, from the Parquet footers' }),
  bytes: Type.Integer(),
});
export type IntentCatalogReply = Static<typeof IntentCatalogReply>;
