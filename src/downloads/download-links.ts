import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring links to one exported file: HMAC-SHA256 over the file id and the expiry. The file
 * id is looked up in the store, so a link can never name a path, and changing either part breaks it.
 */
export class DownloadLinks {
  constructor(
    private readonly secret: string,
    /** Read at each signing: the base is known only once the server listens. */
    private readonly publicUrl: () => string,
    private readonly ttlMs: number,
  ) {}

  /**
   * A link signed at `signedAt` (the start of the current signing window) and valid for `validForMs`
   * from then; rounded up to whole seconds, so never shorter.
   */
  url(fileId: string, fileName: string, signedAt: Date, validForMs: number = this.ttlMs): string {
    const expires = Math.ceil((signedAt.getTime() + validForMs) / 1000);
    const query = `expires=${expires}&signature=${this.sign(fileId, expires)}`;
    return `${this.publicUrl()}/api/v1/downloads/${fileId}/${encodeURIComponent(fileName)}?${query}`;
  }

  /** True when the signature matches the file and has not expired at `now`. */
  verify(fileId: string, expires: number, signature: string, now: Date): boolean {
    if (!Number.isSafeInteger(expires) || expires * 1000 <= now.getTime()) return false;
    const expected = Buffer.from(this.sign(fileId, expires));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(fileId: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${fileId}\n${expires}`).digest('base64url');
  }
}
