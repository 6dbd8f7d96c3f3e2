import type { ColumnInfo } from '../../src/engine/sql-guard.ts';

/** The columns both guard test files check expressions against (an intent tree's, abridged). */
export const COLUMNS: ColumnInfo[] = [
  { name: 'person_id', type: 'VARCHAR' },
  { name: 'topic_id', type: 'VARCHAR' },
  { name: 'intent_score', type: 'INTEGER' },
  { name: 'country', type: 'VARCHAR' },
  { name: 'last_seen', type: 'TIMESTAMP' },
  { name: 'score', type: 'VARCHAR' },
  { name: 'day', type: 'DATE' },
];

export const OPTIONS = { orderedColumns: { score: ['low', 'medium', 'high'] } };
