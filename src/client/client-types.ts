/**
 * The client's public types, derived from the generated `schema.ts` (never written by hand), so they
 * follow the server's OpenAPI document.
 */
import type { components, paths } from './schema.ts';

/** The JSON body of a response object of `schema.ts`. */
type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never;
/** The JSON request body of an operation of `schema.ts`. */
type Body<O> = O extends { requestBody: { content: { 'application/json': infer T } } } ? T : never;

/** RFC 9457 problem document with the API's `code` and, for validation, `errors[]`. */
export type Problem = components['schemas']['def-0'];

export type RegisterBody = Body<paths['/auth/v1/register']['post']>;
export type RegisterAnswer = Json<paths['/auth/v1/register']['post']['responses'][201]>;
export type LoginBody = Body<paths['/auth/v1/login']['post']>;
export type LoginAnswer = Json<paths['/auth/v1/login']['post']['responses'][200]>;

/** What a new API client is made of: its name and, optionally, its scopes. */
export type ApiKeyBody = Body<paths['/client/v1']['post']>;
/** What an API key may do: `read`, `write`, `admin`. */
export type ApiScope = NonNullable<ApiKeyBody['scopes']>[number];
/** A new API client: `api_key` and `api_secret` are shown this once. */
export type ApiKeyCreated = Json<paths['/client/v1']['post']['responses'][201]>;
/** An API client as listed (key prefix only). */
export type ApiKeyInfo = Json<paths['/client/v1']['get']['responses'][200]>['clients'][number];
export type PasswordBody = Body<paths['/auth/v1/password']['post']>;
/** A changed password: how many other sessions of the user ended. */
export type PasswordChanged = Json<paths['/auth/v1/password']['post']['responses'][200]>;

export type IntentTaskBody = Body<paths['/api/v1/intent_hive_tasks']['post']>;
export type GenericTaskBody = Body<paths['/api/v1/generic_parquet_tasks']['post']>;
/** An ad platform's upload file a people export can be written as (`profile`, README "Activation"). */
export type ActivationProfile = NonNullable<IntentTaskBody['profile']>;
/** One part of a people export split at random (`splits`): a name, a percent, and `deliver: false` for a holdout. */
export type Split = NonNullable<IntentTaskBody['splits']>[number];
/** The answer to a create, unload, cancel or retry. */
export type TaskAccepted = Json<paths['/api/v1/intent_hive_tasks']['post']['responses'][202]>;
export type TaskEstimate = Json<paths['/api/v1/intent_hive_tasks/estimate']['post']['responses'][200]>;
/** Which sets an overlap compares: `task_ids` or `audience_ids`, 2 to 10. */
export type OverlapBody = Body<paths['/api/v1/overlap']['post']>;
/** Sizes, pairwise intersections with Jaccard, and (2-3 sets) Venn regions. */
export type Overlap = Json<paths['/api/v1/overlap']['post']['responses'][200]>;

export type TaskDetail = Json<paths['/api/v1/status/{task_id}']['get']['responses'][200]>;
export type TaskFile = TaskDetail['files'][number];
export type TaskPage = Json<paths['/api/v1/status']['get']['responses'][200]>;
export type TaskSummary = TaskPage['tasks'][number];
export type TaskStatus = TaskDetail['status'];
export type TaskPreview = Json<paths['/api/v1/tasks/{task_id}/preview']['get']['responses'][200]>;
export type IntentCatalog = Json<paths['/api/v1/catalog/intent']['get']['responses'][200]>;
export type TopicList = Json<paths['/api/v1/catalog/intent/topics']['get']['responses'][200]>;
export type Topic = TopicList['topics'][number];

export type WebhookBody = Body<paths['/api/v1/webhooks']['post']>;
/** A new webhook: `secret` is shown this once. */
export type WebhookCreated = Json<paths['/api/v1/webhooks']['post']['responses'][201]>;
export type Webhook = Json<paths['/api/v1/webhooks']['get']['responses'][200]>['webhooks'][number];
export type WebhookEvent = Webhook['events'][number];
export type WebhookDeliveryPage = Json<
  paths['/api/v1/webhooks/{webhook_id}/deliveries']['get']['responses'][200]
>;
export type WebhookDelivery = WebhookDeliveryPage['deliveries'][number];

type AudiencePath = paths['/api/v1/audiences/{audience_id}'];
type RunsPath = paths['/api/v1/audiences/{audience_id}/runs'];

/** What saves an audience: a name, a kind, a task definition, and its window, schedule and delivery. */
export type AudienceBody = Body<paths['/api/v1/audiences']['post']>;
/** A change of any fields of an audience. */
export type AudiencePatch = Body<AudiencePath['patch']>;
export type AudienceEstimateBody = Body<paths['/api/v1/audiences/estimate']['post']>;
/** An audience whole: definition, window, schedule, delivery, last and next run, size history. */
export type AudienceDetail = Json<AudiencePath['get']['responses'][200]>;
export type AudiencePage = Json<paths['/api/v1/audiences']['get']['responses'][200]>;
/** An audience as lists show it. */
export type AudienceSummary = AudiencePage['audiences'][number];
export type AudienceSchedule = AudienceDetail['schedule'];
export type AudienceWindow = NonNullable<AudienceDetail['window']>;
export type AudienceRunPage = Json<RunsPath['get']['responses'][200]>;
/** A run (or a skipped slot) with what its task counted: people, and added, removed, kept for delta. */
export type AudienceRun = AudienceRunPage['runs'][number];
export type AudienceRunStatus = AudienceRun['status'];
/** The answer to a run: its run and task ids, the days it reads, its delta base. */
export type AudienceRunStarted = Json<RunsPath['post']['responses'][202]>;
/**
 * The `definition` of an intent audience: an intent task's body without `perform_unload` and
 * `limit`, with `days` only when they are fixed (no window).
 */
export type IntentAudienceDefinition = Omit<IntentTaskBody, 'days' | 'perform_unload' | 'limit'> & {
  days?: string[];
};
/** The `definition` of a generic audience: a generic task's body without `perform_unload` and `limit`. */
export type GenericAudienceDefinition = Omit<GenericTaskBody, 'perform_unload' | 'limit'>;

/** `/healthz` and `/readyz`. */
export type Health = Json<paths['/healthz']['get']['responses'][200]>;
