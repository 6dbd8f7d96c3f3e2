import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { messageOf } from '../errors.ts';
import { type AddressPolicy, AddressRefused, checkedAddress, type ResolvedAddress } from './address-guard.ts';

/** What a receiver answered: its status, or why there was no answer. */
export interface SendResult {
  statusCode: number | null;
  error: string | null;
}

export interface WebhookSenderOptions {
  policy: AddressPolicy;
  /** Accept `http:` URLs (`WEBHOOK_ALLOW_HTTP=1`); otherwise only `https:`. */
  allowHttp: boolean;
  /** Longest an attempt may take, connection to the end of the answer. */
  timeoutMs: number;
}

/** Bytes of an answer read at most: only its status matters. */
const ANSWER_CAP = 1024;
const USER_AGENT = 'audiences-webhooks/1';

/**
 * POSTs a webhook body to its URL, once. The host is resolved and checked once (`checkedAddress`),
 * and the connection goes to that very address (a `lookup` that answers it), with the URL's host
 * kept for the `Host` header and TLS (SNI and the certificate check). No redirect is followed (a
 * 3xx is an answer like any other non-2xx), and the answer's body is read no further than a small
 * cap. Never throws: every failure is a result.
 */
export class WebhookSender {
  constructor(private readonly options: WebhookSenderOptions) {}

  async send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const target = new URL(url);
    const schemeError = checkScheme(target, this.options.allowHttp);
    if (schemeError) return { statusCode: null, error: schemeError };
    // IPv6 literals keep their brackets in `hostname`.
    const hostname = target.hostname.replace(/^\[(.*)\]$/, '$1');
    let address: ResolvedAddress;
    try {
      address = await checkedAddress(hostname, this.options.policy);
    } catch (error) {
      return {
        statusCode: null,
        error: error instanceof AddressRefused ? `refused: ${error.message}` : messageOf(error),
      };
    }
    try {
      return { statusCode: await this.post(target, hostname, address, headers, body), error: null };
    } catch (error) {
      return { statusCode: null, error: messageOf(error) };
    }
  }

  private post(
    target: URL,
    hostname: string,
    address: ResolvedAddress,
    headers: Record<string, string>,
    body: string,
  ): Promise<number> {
    const { timeoutMs } = this.options;
    const pinned: LookupFunction = (_host, options, callback) => {
      if (options.all) callback(null, [address]);
      else callback(null, address.address, address.family);
    };
    const client = target.protocol === 'https:' ? https : http;
    return new Promise<number>((resolve, reject) => {
      const request = client.request(
        {
          protocol: target.protocol,
          hostname,
          port: target.port || undefined,
          path: `${target.pathname}${target.search}`,
          method: 'POST',
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': USER_AGENT,
          },
          lookup: pinned,
          // A fresh connection each time: no pooled socket outlives the address check it was made for.
          agent: false,
          signal: AbortSignal.timeout(timeoutMs),
        },
        (response) => {
          const status = response.statusCode ?? 0;
          let read = 0;
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read >= ANSWER_CAP) {
              response.destroy();
              resolve(status);
            }
          });
          response.on('end', () => resolve(status));
          response.on('error', () => resolve(status));
        },
      );
      request.on('error', (error) =>
        reject(error.name === 'AbortError' ? new Error(`no answer within ${timeoutMs / 1000} s`) : error),
      );
      request.end(body);
    });
  }
}

/** Why the URL's scheme is refused, or undefined when it is allowed. */
export function checkScheme(url: URL, allowHttp: boolean): string | undefined {
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return allowHttp ? undefined : 'must be an https:// URL (http:// only with WEBHOOK_ALLOW_HTTP=1)';
  }
  return `must be an https:// URL, not ${url.protocol}`;
}
