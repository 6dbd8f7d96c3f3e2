import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

const ALGORITHM = 'HS256';
const ISSUER = 'audiences';
const AUDIENCE = 'audiences-api';

export interface TokenClaims {
  userId: string;
  organizationId: string;
  /** The login session the token belongs to (`sid`): the store says whether it still goes on. */
  sessionId: string;
}

/**
 * Signs and verifies the session JWTs; the algorithm is pinned so `alg: none` or RS/HS confusion fails.
 * A token without a session id (`sid`) is not one of ours and is refused.
 */
export class TokenService {
  private readonly key: Uint8Array;
  /** Its own key, derived from the secret, so a CSRF token is never a valid signature of anything else. */
  private readonly csrfKey: Buffer;

  constructor(
    secret: string,
    private readonly ttlMs: number,
  ) {
    this.key = new TextEncoder().encode(secret);
    this.csrfKey = createHmac('sha256', secret).update('audiences csrf v1').digest();
  }

  /**
   * The CSRF token of a browser session: an HMAC of its JWT, so it changes with every login, needs
   * no storage, and every replica that shares the secret checks it alike.
   */
  csrfToken(token: string): string {
    return createHmac('sha256', this.csrfKey).update(token).digest('base64url');
  }

  /** Whether `presented` is the CSRF token of `token`, compared in constant time. */
  csrfMatches(token: string, presented: string): boolean {
    const expected = Buffer.from(this.csrfToken(token));
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  async sign(claims: TokenClaims, now: Date): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    const token = await new SignJWT({ org: claims.organizationId, sid: claims.sessionId })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** The claims of a valid token, or undefined for anything else (expired, tampered, wrong algorithm). */
  async verify(token: string): Promise<TokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      const { sub, org, sid } = payload;
      if (typeof sub !== 'string' || typeof org !== 'string' || typeof sid !== 'string') return undefined;
      return { userId: sub, organizationId: org, sessionId: sid };
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return undefined;
      throw error;
    }
  }
}
