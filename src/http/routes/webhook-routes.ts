import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { problems } from '../../contract/problem-schema.ts';
import {
  WebhookBody,
  WebhookCreatedReply,
  WebhookDeliveries,
  WebhookDeliveriesQuery,
  WebhookList,
  WebhookParams,
} from '../../contract/webhook-schemas.ts';
import type { WebhookService } from '../../webhooks/webhook-service.ts';
import { API_SECURITY, principalOf } from '../auth.ts';
import { queryLimit } from '../page-limit.ts';

const DELIVERY_LIMITS = { min: 1, max: 100, default: 50 };

/**
 * Signed lifecycle webhooks of the organisation, and their delivery log: `admin` for an API key,
 * reading them too (a webhook's URL and deliveries are the integration's, not the data's).
 */
export const webhookRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhookService }> = async (
  app,
  { webhooks },
) => {
  const security = API_SECURITY;
  const config = { access: 'admin' } as const;

  app.post(
    '/api/v1/webhooks',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe a URL to task events; the signing secret is shown this once',
        description:
          'Deliveries follow the Standard Webhooks specification: headers webhook-id, webhook-timestamp ' +
          'and webhook-signature (v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with the ' +
          'base64-decoded part of the secret after whsec_). A delivery that does not get a 2xx is tried ' +
          'again with exponential backoff for WEBHOOK_RETRY_FOR (default 24 h), with the same webhook-id ' +
          'and body.',
        security,
        body: WebhookBody,
        response: { 201: WebhookCreatedReply, ...problems(400, 401, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { url, events } = request.body;
      const created = await webhooks.create(principalOf(request), url, events);
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/v1/webhooks',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: "The organisation's webhooks, oldest first (without their secrets)",
        security,
        response: { 200: WebhookList, ...problems(401) },
      },
    },
    async (request) => ({ webhooks: await webhooks.list(principalOf(request)) }),
  );

  app.delete(
    '/api/v1/webhooks/:webhook_id',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'Remove a webhook; its pending deliveries are not sent',
        security,
        params: WebhookParams,
        response: { 204: Type.Null({ description: 'Removed' }), ...problems(401, 404) },
      },
    },
    async (request, reply) => {
      await webhooks.delete(principalOf(request), request.params.webhook_id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/webhooks/:webhook_id/deliveries',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: "The webhook's delivery attempts, newest first",
        security,
        params: WebhookParams,
        querystring: WebhookDeliveriesQuery,
        response: { 200: WebhookDeliveries, ...problems(400, 401, 404) },
      },
    },
    async (request) => {
      return webhooks.deliveries(
        principalOf(request),
        request.params.webhook_id,
        queryLimit(request.query.limit, DELIVERY_LIMITS),
        request.query.cursor,
      );
    },
  );
};
