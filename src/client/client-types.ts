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

/** A new API client: `api_key` and `api_secret` are shown this once. */
export type ApiKeyCreated = Json<paths['/client/v1']['post']['responses'][201]>;
/** An API client as listed (key prefix only). */
export type ApiKeyInfo = Json<paths['/client/v1']['get']['responses'][200]>['clients'][number];

export type IntentTaskBody = Body<paths['/api/v1/intent_hive_tasks']['post']>;
export type GenericTaskBody = Body<paths['/api/v1/generic_parquet_tasks']['post']>;
/** The answer to a create, unload, cancel or retry. */
export type TaskAccepted = Json<paths['/api/v1/intent_hive_tasks']['post']['responses'][202]>;
export type TaskEstimate = Json<paths['/api/v1/intent_hive_tasks/estimate']['post']['responses'][200]>;

export type TaskDetail = Json<paths['/api/v1/status/{task_id}']['get']['responses'][200]>;
export type TaskFile = TaskDetail['files'][number];
export type TaskPage = Json<paths['/api/v1/status']['get']['responses'][200]>;
export type TaskSummary = TaskPage['tasks'][number];
export type TaskStatus = TaskDetail['status'];
export type TaskPreview = Json<paths['/api/v1/tasks/{task_id}/preview']['get']['responses'][200]>;
export type IntentCatalog = Json<paths['/api/v1/catalog/intent']['get']['responses'][200]>;

export type WebhookBody = Body<paths['/api/v1/webhooks']['post']>;
/** A new webhook: `secret` is shown this once. */
export type WebhookCreated = Json<paths['/api/v1/webhooks']['post']['responses'][201]>;
export type Webhook = Json<paths['/api/v1/webhooks']['get']['responses'][200]>['webhooks'][number];
export type WebhookEvent = Webhook['events'][number];
export type WebhookDeliveryPage = Json<
  paths['/api/v1/webhooks/{webhook_id}/deliveries']['get']['responses'][200]
>;
export type WebhookDelivery = WebhookDeliveryPage['deliveries'][number];

/** `/healthz` and `/readyz`. */
export type Health = Json<paths['/healthz']['get']['responses'][200]>;
