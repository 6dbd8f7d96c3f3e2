import type { FastifyServerOptions } from 'fastify';

/**
 * Pino options shared by the server and the worker. Credentials are redacted wherever they could
 * appear, and request URLs are logged without their query (download links carry signatures there).
 */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers.cookie',
        '*.password',
        '*.current_password',
        '*.new_password',
        '*.token',
        '*.api_key',
        '*.api_secret',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(request: { method: string; url: string; id: string }) {
        return { id: request.id, method: request.method, url: request.url.split('?')[0] };
      },
    },
  };
}
