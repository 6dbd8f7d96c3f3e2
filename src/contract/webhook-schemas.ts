import { type Static, Type } from '@sinclair/typebox';
import { StringEnum } from './string-enum.ts';
import { PageLimit } from './task-schemas.ts';

/**
 * The task events a webhook can subscribe to. The store keeps the same list for its records
 * (`store/store.ts`); `WebhookService` hands events from one to the other both ways, so a list
 * that gains an event the other lacks fails to compile there.
 */
export const TASK_EVENT_TYPES = [
  'task.counted',
  'task.completed',
  'task.failed',
  'task.cancelled',
  'audience.run.completed',
  'audience.run.failed',
  'audience.run.skipped',
] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

const WebhookEvents = Type.Array(StringEnum(TASK_EVENT_TYPES), {
  minItems: 1,
  maxItems: TASK_EVENT_TYPES.length,
  uniqueItems: true,
  description: `Events to receive, each once: ${TASK_EVENT_TYPES.join(', ')}`,
  examples: [['task.completed', 'task.failed']],
});

export const WebhookBody = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: 2048,
      description:
        'https:// URL that receives the events (http:// only with WEBHOOK_ALLOW_HTTP=1); its host must ' +
        'resolve to public addresses only (unless WEBHOOK_ALLOW_PRIVATE=1)',
      examples: ['https://hooks.example.com/audiences'],
    }),
    events: WebhookEvents,
  },
  {
    additionalProperties: false,
    description: 'A URL and the events it receives',
    examples: [{ url: 'https://hooks.example.com/audiences', events: ['task.completed', 'task.failed'] }],
  },
);

const WebhookFields = {
  id: Type.String({ description: 'The webhook: remove it with DELETE /api/v1/webhooks/{webhook_id}' }),
  url: Type.String({ description: 'The URL that receives the events' }),
  events: Type.Array(StringEnum(TASK_EVENT_TYPES), { description: 'The events it receives' }),
  created_at: Type.String({ format: 'date-time', description: 'When it was created (UTC)' }),
};

export const WebhookView = Type.Object(WebhookFields);
export type WebhookView = Static<typeof WebhookView>;

export const WebhookCreatedReply = Type.Object(
  {
    ...WebhookFields,
    secret: Type.String({
      description:
        "whsec_ and the base64 signing key (Standard Webhooks), shown this once: verify each delivery's " +
        'webhook-signature with it',
    }),
  },
  { description: 'Subscribed: keep the secret, it is not shown again' },
);
export type WebhookCreatedReply = Static<typeof WebhookCreatedReply>;

export const WebhookList = Type.Object(
  { webhooks: Type.Array(WebhookView, { description: 'The webhooks, oldest first' }) },
  { description: "The organisation's webhooks, without their secrets" },
);

export const WebhookParams = Type.Object({
  webhook_id: Type.String({ maxLength: 64, description: 'id of the webhook' }),
});

export const WebhookDeliveriesQuery = Type.Object(
  {
    limit: Type.Optional(PageLimit('1-100, default 50', '50')),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: 'next_cursor of the previous page' })),
  },
  { additionalProperties: false },
);

/** One attempt to deliver an event, as the delivery log lists it. */
const DeliveryAttempt = Type.Object({
  id: Type.String({ description: 'The attempt' }),
  event: StringEnum(TASK_EVENT_TYPES, { description: 'The event delivered' }),
  event_id: Type.String({
    description: 'The webhook-id header: the same for every attempt of the event',
  }),
  task_id: Type.String({ description: 'The task the event is about (a skipped audience slot: its run)' }),
  attempt: Type.Integer({ description: 'From 1' }),
  outcome: StringEnum(['delivered', 'retrying', 'failed'], {
    description: 'delivered (2xx), retrying (another attempt at next_attempt_at) or failed (given up)',
  }),
  status_code: Type.Union([Type.Integer(), Type.Null()], {
    description: "The receiver's HTTP status; null when it did not answer",
  }),
  error: Type.Union([Type.String(), Type.Null()], {
    description: 'What went wrong (a timeout, a refused address, the status); null when delivered',
  }),
  attempted_at: Type.String({ format: 'date-time', description: 'When the attempt was made (UTC)' }),
  next_attempt_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the next attempt is due; null unless retrying',
  }),
});
export type DeliveryAttempt = Static<typeof DeliveryAttempt>;

export const WebhookDeliveries = Type.Object(
  {
    deliveries: Type.Array(DeliveryAttempt, { description: 'Attempts, newest first' }),
    next_cursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Send it as ?cursor= for the next page; null on the last page',
    }),
  },
  { description: "A page of the webhook's delivery attempts" },
);
export type WebhookDeliveries = Static<typeof WebhookDeliveries>;
