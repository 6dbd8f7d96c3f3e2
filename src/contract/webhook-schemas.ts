import { type Static, Type } from '@sinclair/typebox';
import { StringEnum } from './string-enum.ts';

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
});

export const WebhookBody = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: 2048,
      description:
        'https:// URL that receives the events (http:// only with WEBHOOK_ALLOW_HTTP=1); its host must ' +
        'resolve to public addresses only (unless WEBHOOK_ALLOW_PRIVATE=1)',
    }),
    events: WebhookEvents,
  },
  { additionalProperties: false },
);

const WebhookFields = {
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(StringEnum(TASK_EVENT_TYPES)),
  created_at: Type.String({ format: 'date-time' }),
};

export const WebhookView = Type.Object(WebhookFields);
export type WebhookView = Static<typeof WebhookView>;

export const WebhookCreatedReply = Type.Object({
  ...WebhookFields,
  secret: Type.String({
    description:
      "whsec_ and the base64 signing key (Standard Webhooks), shown this once: verify each delivery's " +
      'webhook-signature with it',
  }),
});
export type WebhookCreatedReply = Static<typeof WebhookCreatedReply>;

export const WebhookList = Type.Object({ webhooks: Type.Array(WebhookView) });

export const WebhookParams = Type.Object({ webhook_id: Type.String({ maxLength: 64 }) });

export const WebhookDeliveriesQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: '1-100, default 50' })),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: 'next_cursor of the previous page' })),
  },
  { additionalProperties: false },
);

/** One attempt to deliver an event, as the delivery log lists it. */
const DeliveryAttempt = Type.Object({
  id: Type.String({ description: 'The attempt' }),
  event: StringEnum(TASK_EVENT_TYPES),
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
  error: Type.Union([Type.String(), Type.Null()]),
  attempted_at: Type.String({ format: 'date-time' }),
  next_attempt_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type DeliveryAttempt = Static<typeof DeliveryAttempt>;

export const WebhookDeliveries = Type.Object({
  deliveries: Type.Array(DeliveryAttempt, { description: 'Attempts, newest first' }),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
});
export type WebhookDeliveries = Static<typeof WebhookDeliveries>;
