import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ObjectScheme } from './object-location.ts';

export interface S3Options {
  /** Any S3-compatible endpoint (MinIO, R2, Ceph, ...); unset means AWS. */
  endpoint?: string;
  forcePathStyle: boolean;
  region?: string;
}

export interface GcsOptions {
  endpoint: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface ObjectClientOptions {
  s3: S3Options;
  gcs: GcsOptions;
  /** Attempts per request, with exponential backoff, for 5xx, throttling and timeouts. */
  maxAttempts: number;
  /**
   * Milliseconds to connect, to wait for a response, and of silence on a socket (a stalled answer or
   * body) before a request counts as failed.
   */
  timeoutMs: number;
}

/**
 * One client per scheme. S3 takes credentials and region from the standard AWS provider chain
 * (environment, shared config and profiles, instance or container roles); GCS goes through its
 * S3-interoperable XML API with HMAC keys.
 */
export function createObjectClient(scheme: ObjectScheme, options: ObjectClientOptions): S3Client {
  // Silence, not total time: a large part may take long to upload. (`requestTimeout` alone only logs
  // a warning, so an answer or a body that stalls would be waited for forever.)
  const requestHandler = new NodeHttpHandler({
    connectionTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  // Checksums only where the API requires them: S3-compatible stores (and GCS) reject or ignore the
  // newer default trailers.
  const common = {
    maxAttempts: options.maxAttempts,
    requestHandler,
    requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    responseChecksumValidation: 'WHEN_REQUIRED' as const,
  };
  if (scheme === 'gs') {
    const { accessKeyId, secretAccessKey } = options.gcs;
    return new S3Client({
      ...common,
      endpoint: options.gcs.endpoint,
      region: 'auto',
      forcePathStyle: true,
      ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    });
  }
  return new S3Client({
    ...common,
    ...(options.s3.endpoint ? { endpoint: options.s3.endpoint } : {}),
    forcePathStyle: options.s3.forcePathStyle,
    ...(options.s3.region ? { region: options.s3.region } : {}),
  });
}
