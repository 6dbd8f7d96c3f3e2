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

/** Query of `GET /api/v1/catalog/intent/topics`. */
export const TopicsQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'Case-insensitive text found in the topic name or id; absent lists every topic',
        examples: ['cloud'],
      }),
    ),
    days: Type.Optional(
      Type.String({
        description:
          'Newest days of the tree the rows and people are counted over: 1-366, default 7; more than the tree holds means all of them',
        examples: ['7'],
      }),
    ),
    limit: Type.Optional(
      Type.String({
        description:
          'Most topics returned (those with the most rows): 1-1000, default 50; `total` tells how many matched',
        examples: ['20'],
      }),
    ),
  },
  { additionalProperties: false },
);
export type TopicsQuery = Static<typeof TopicsQuery>;

export const TopicSummary = Type.Object(
  {
    topic_id: Type.String({
      description: 'Topic id, as `topic_ids` of an intent task names it',
      examples: ['4eyes_101_3'],
    }),
    topic_name: Type.String({ description: 'Topic name', examples: ['Cloud Security'] }),
    prefix: Type.String({
      description: 'Topic prefix (partition) the topic belongs to',
      examples: ['4eyes_101'],
    }),
    rows: Type.Integer({ description: 'Rows of the topic over the days counted', examples: [4210] }),
    people: Type.Integer({
      description: 'Distinct person_id of the topic over the days counted (exact)',
      examples: [1873],
    }),
  },
  { description: 'One topic of the intent data' },
);
export type TopicSummary = Static<typeof TopicSummary>;

/** The answer of `GET /api/v1/catalog/intent/topics`. */
export const TopicsReply = Type.Object(
  {
    days: Type.Array(Type.String({ format: 'date' }), {
      description: 'Days the figures are counted over, ascending (the newest `days` days of the tree)',
      examples: [['2024-05-01', '2024-05-02', '2024-05-03']],
    }),
    total: Type.Integer({ description: 'Topics matching `q`, before `limit`', examples: [3] }),
    topics: Type.Array(TopicSummary, {
      description: 'Matching topics, most rows first (then by id), at most `limit`',
    }),
  },
  { description: 'Topics of the intent data, by name' },
);
export type TopicsReply = Static<typeof TopicsReply>;
