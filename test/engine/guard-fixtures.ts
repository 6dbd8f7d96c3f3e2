import { type ColumnInfo, ExpressionError } from '../../src/engine/sql-guard.ts';

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

/** The ExpressionError a guard call is refused with; fails when it is accepted or throws anything else. */
export async function rejection(run: () => Promise<unknown>): Promise<ExpressionError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error('the input was accepted');
}
