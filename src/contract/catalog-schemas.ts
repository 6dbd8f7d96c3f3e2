import { type Static, Type } from '@sinclair/typebox';

/** What the intent data holds, for pickers: the answer of `GET /api/v1/catalog/intent`. */
export const IntentCatalogReply = Type.Object(
  {
    days: Type.Array(Type.String({ format: 'date' }), { description: 'Days with data, ascending' }),
    prefixes: Type.Array(Type.String(), { description: 'Topic prefixes with data, sorted' }),
    scores: Type.Array(Type.String(), { description: 'Scores with data: low, medium, high order' }),
    columns: Type.Array(
      Type.Object({
        name: Type.String({ description: 'Column name, as where_expr, select and unique_by name it' }),
        type: Type.String({ description: 'DuckDB type, e.g. VARCHAR, BIGINT, TIMESTAMP' }),
      }),
      {
        description:
          'Columns of the data (DuckDB types), the partition columns day, prefix and score included',
      },
    ),
    files: Type.Integer({ description: 'Parquet files of the tree' }),
    rows: Type.Integer({ description: 'Rows of every file, from the Parquet footers' }),
    bytes: Type.Integer({ description: 'Bytes of every file' }),
  },
  { description: 'What the intent data holds' },
);
export type IntentCatalogReply = Static<typeof IntentCatalogReply>;
