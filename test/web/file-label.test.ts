import { describe, expect, it } from 'vitest';
import { fileLabel } from '../../web/src/format.ts';

describe("the console's file names", () => {
  const root = '/data/exports/org/task';

  it("shows a sliced people export's files with their bucket, so sixteen data_0.parquet differ", () => {
    const outputs = { people: `${root}/people` };
    const labels = [0, 1].map((bucket) =>
      fileLabel({ uri: `${root}/people/bucket=${bucket}/data_0.parquet`, partition: 'people' }, outputs),
    );
    expect(labels).toEqual(['bucket=0/data_0.parquet', 'bucket=1/data_0.parquet']);
  });

  it("shows an intent partition's file by its name under the partition's folder", () => {
    const partition = 'day=2024-05-01/prefix=12/score=high';
    const outputs = { [partition]: `${root}/${partition}` };
    expect(fileLabel({ uri: `${root}/${partition}/data_0.parquet`, partition }, outputs)).toBe(
      'data_0.parquet',
    );
  });

  it('falls back to the bare name when the partition has no folder, or the file lies elsewhere', () => {
    expect(fileLabel({ uri: 's3://b/x/data_1.csv', partition: 'all' }, {})).toBe('data_1.csv');
    expect(fileLabel({ uri: 's3://b/y/data_1.csv', partition: 'all' }, { all: 's3://b/x' })).toBe(
      'data_1.csv',
    );
  });
});
