import { type Static, Type } from '@sinclair/typebox';

/** The most sets one overlap compares: 10 sets have 45 pairs. */
export const OVERLAP_MAX_SETS = 10;
const TASK_ID_EXAMPLE = '0f8fad5b-d9cb-469f-a165-70867728950e';
const OTHER_TASK_ID_EXAMPLE = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

const Ids = (description: string, example: string[]) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 100, description: 'One id' }), {
    minItems: 2,
    maxItems: OVERLAP_MAX_SETS,
    uniqueItems: true,
    description,
    examples: [example],
  });

export const OverlapBody = Type.Object(
  {
    task_ids: Type.Optional(
      Ids(
        'Tasks of your organisation, counted or completed (not failed or expired), each with the same ' +
          'unique_by: their segments are compared. Give task_ids or audience_ids, not both',
        [TASK_ID_EXAMPLE, OTHER_TASK_ID_EXAMPLE],
      ),
    ),
    audience_ids: Type.Optional(
      Ids(
        "Saved audiences of your organisation: each one's last completed run is compared. Give " +
          'task_ids or audience_ids, not both',
        ['3b241101-e2bb-4255-8caf-4136c566a962', '550e8400-e29b-41d4-a716-446655440000'],
      ),
    ),
  },
  {
    additionalProperties: false,
    description: 'The 2 to 10 sets to compare: tasks, or saved audiences',
    examples: [{ task_ids: [TASK_ID_EXAMPLE, OTHER_TASK_ID_EXAMPLE] }],
  },
);
export type OverlapBody = Static<typeof OverlapBody>;

const SetKey = Type.String({
  description: 'The set: A, B, C … in the order the request named them',
  examples: ['A'],
});
const Count = (description: string, example: number) =>
  Type.Integer({ minimum: 0, description, examples: [example] });

export const OverlapReply = Type.Object(
  {
    unique_by: Type.String({
      description: 'The column whose distinct non-null values are the members of every set',
      examples: ['person_id'],
    }),
    sets: Type.Array(
      Type.Object({
        key: SetKey,
        task_id: Type.String({
          description: 'The task whose segment is the set',
          examples: [TASK_ID_EXAMPLE],
        }),
        audience_id: Type.Union([Type.String(), Type.Null()], {
          description: 'The saved audience whose last completed run the task is; null when tasks were named',
          examples: [null],
        }),
        name: Type.Union([Type.String(), Type.Null()], {
          description: "The task's or the audience's name, when it has one",
          examples: ['Running shoes, last 7 days'],
        }),
        size: Count('Distinct non-null unique_by values of the segment (people rules applied)', 12840),
      }),
      { description: 'Each set, in the order the request named them' },
    ),
    union: Count('Members of at least one set', 20112),
    pairs: Type.Array(
      Type.Object({
        a: SetKey,
        b: SetKey,
        intersection: Count('Members of both sets', 3021),
        union: Count('Members of either set', 15607),
        jaccard: Type.Number({
          minimum: 0,
          maximum: 1,
          description: 'intersection / union (0 when both sets are empty)',
          examples: [0.1936],
        }),
      }),
      { description: 'Every pair of sets (A-B, A-C, … B-C …): the pairwise matrix' },
    ),
    regions: Type.Union(
      [
        Type.Array(
          Type.Object({
            sets: Type.Array(SetKey, {
              description: 'The sets the region lies in; it lies outside every other set',
              examples: [['A', 'B']],
            }),
            size: Count('Members in exactly these sets', 2200),
          }),
        ),
        Type.Null(),
      ],
      {
        description:
          'For 2 or 3 sets, every region of the Venn diagram (only A, only B, A and B not C, …, A and B ' +
          'and C), sizes summing to union; null for 4 or more sets (use pairs)',
      },
    ),
    passes: Type.Integer({
      minimum: 1,
      description:
        "Hash passes the members were counted in: 1, or more when the sets' input is larger than one " +
        "count job's (each pass reads every set and keeps the members whose hash falls in it, so " +
        'it holds a share of them); the figures are exact either way',
      examples: [1],
    }),
  },
  { description: 'How the sets overlap, counted exactly' },
);
export type OverlapReply = Static<typeof OverlapReply>;
