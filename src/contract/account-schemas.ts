import { type Static, Type } from '@sinclair/typebox';
import { StringEnum } from './string-enum.ts';

const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'E-mail address: the login name',
  examples: ['ada@example.com'],
});
const Name = (description: string, example: string) =>
  Type.String({ minLength: 1, maxLength: 200, description, examples: [example] });
const Id = (description: string) => Type.String({ description });
const CreatedAt = Type.String({ format: 'date-time', description: 'When it was created (UTC)' });

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Type.String({
      maxLength: 256,
      description: 'At least 12 characters, not a common password',
      examples: ['violet-Tangerine-Harbor-42'],
    }),
    first_name: Name('First name', 'Ada'),
    last_name: Name('Last name', 'Lovelace'),
    organization_name: Name('Name of the organisation created for this user', 'Acme'),
  },
  {
    additionalProperties: false,
    description: 'A new user and the organisation it owns',
    examples: [
      {
        email: 'ada@example.com',
        password: 'violet-Tangerine-Harbor-42',
        first_name: 'Ada',
        last_name: 'Lovelace',
        organization_name: 'Acme',
      },
    ],
  },
);

export const RegisterReply = Type.Object(
  {
    user_id: Id('The new user'),
    organization_id: Id('The new organisation, owned by the user'),
    organization_name: Type.String({ description: 'Name of the organisation' }),
    email: Type.String({ description: 'E-mail address, as registered' }),
    first_name: Type.String({ description: 'First name' }),
    last_name: Type.String({ description: 'Last name' }),
    created_at: CreatedAt,
  },
  { description: 'Registered: log in with POST /auth/v1/login' },
);
export type RegisterReply = Static<typeof RegisterReply>;

export const LoginBody = Type.Object(
  {
    email: Type.String({
      minLength: 1,
      maxLength: 254,
      description: 'E-mail address the user registered with',
      examples: ['ada@example.com'],
    }),
    password: Type.String({
      minLength: 1,
      maxLength: 256,
      description: "The user's password",
      examples: ['violet-Tangerine-Harbor-42'],
    }),
  },
  {
    additionalProperties: false,
    description: 'E-mail and password of a registered user',
    examples: [{ email: 'ada@example.com', password: 'violet-Tangerine-Harbor-42' }],
  },
);

export const LoginReply = Type.Object(
  {
    user_id: Id('The user who logged in'),
    organization_id: Id("The user's organisation"),
    token: Type.String({
      description:
        'A JWT naming a new login session: send it as Authorization: Bearer <token>. It works until ' +
        'expires_at, or until the session ends (POST /auth/v1/logout, or a password change elsewhere)',
    }),
    token_type: Type.Literal('Bearer', { description: 'Always Bearer' }),
    expires_at: Type.String({ format: 'date-time', description: 'When the token stops working (UTC)' }),
  },
  { description: 'Logged in: the bearer token and when it expires' },
);
export type LoginReply = Static<typeof LoginReply>;

export const SessionReply = Type.Object(
  {
    signed_in: Type.Literal(true, { description: 'A session exists' }),
    user_id: Id("The session's user"),
    organization_id: Id("The user's organisation"),
    first_name: Type.String({ description: "The user's first name" }),
    last_name: Type.String({ description: "The user's last name" }),
    organization_name: Type.String({ description: "The name of the user's organisation" }),
    csrf_token: Type.String({ description: 'Send it as X-CSRF-Token on every request that is not a GET' }),
  },
  { description: 'Signed in: the session cookie is set; send csrf_token with every change' },
);

/** GET /auth/v1/session without a (valid) session cookie: an answer, not an error. */
export const SignedOutReply = Type.Object(
  { signed_in: Type.Literal(false, { description: 'No session: log in with POST /auth/v1/session' }) },
  { description: 'No (valid) session cookie' },
);

/** What GET /auth/v1/session answers: the session, or that there is none. */
export const SessionState = Type.Union([SessionReply, SignedOutReply], {
  description: 'The session (signed_in: true), or signed_in: false without one',
});

/**
 * What an API key may do. `read`: look (task status and lists, the catalog, estimates, previews,
 * manifests, archives and downloads); `write`: act (create, unload, cancel and retry tasks; save,
 * change, run, resync and delete audiences); `admin`: manage the organisation's webhooks. A user's
 * login holds all three; managing API keys needs a login whatever a key's scopes.
 */
export const API_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

const SCOPES_MEANING =
  'read: task status and lists, the catalog, estimates, previews, manifests, archives and downloads; ' +
  'write: create, unload, cancel and retry tasks, save, change, run, resync and delete audiences; ' +
  'admin: webhooks';

const Scopes = (description: string) =>
  Type.Array(StringEnum(API_SCOPES), {
    minItems: 1,
    maxItems: API_SCOPES.length,
    uniqueItems: true,
    description,
    examples: [['read', 'write']],
  });

export const ClientBody = Type.Object(
  {
    name: Name('A name to tell the client apart', 'nightly-export'),
    scopes: Type.Optional(
      Scopes(
        `What the key may do, each scope once: ${SCOPES_MEANING}. Without it the key gets all three ` +
          '(what every key could do before scopes existed). A key used outside its scopes gets 403 scope_missing.',
      ),
    ),
  },
  {
    additionalProperties: false,
    description: 'An API client to create',
    examples: [{ name: 'nightly-export', scopes: ['read', 'write'] }],
  },
);

export const ClientCreatedReply = Type.Object(
  {
    client_id: Id('The API client: revoke it with DELETE /client/v1/{client_id}'),
    name: Type.String({ description: 'The name given at creation' }),
    api_key: Type.String({ description: 'Shown this once; send it as X-API-Key' }),
    api_secret: Type.String({ description: 'Shown this once; stored only as a hash' }),
    key_prefix: Type.String({ description: 'The first characters of api_key, to tell keys apart in lists' }),
    scopes: Scopes(`What the key may do (${SCOPES_MEANING})`),
    created_at: CreatedAt,
  },
  { description: 'Created: keep the key and secret, they are not shown again' },
);
export type ClientCreatedReply = Static<typeof ClientCreatedReply>;

/** An API client as listed: never its key or secret, only the prefix that tells keys apart. */
export const ClientView = Type.Object({
  client_id: Id('The API client'),
  name: Type.String({ description: 'The name given at creation' }),
  key_prefix: Type.String({ description: 'The first characters of its key, to tell keys apart' }),
  scopes: Scopes('What its key may do: read, write, admin'),
  created_at: CreatedAt,
  revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When it was revoked (its key no longer works); null while active',
  }),
});
export type ClientView = Static<typeof ClientView>;

export const ClientList = Type.Object(
  { clients: Type.Array(ClientView, { description: "The organisation's API clients" }) },
  { description: "The organisation's API clients, revoked ones included" },
);

export const ClientParams = Type.Object({
  client_id: Type.String({ maxLength: 64, description: 'client_id of the API client' }),
});

export const PasswordBody = Type.Object(
  {
    current_password: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'The password the user logs in with now',
      examples: ['violet-Tangerine-Harbor-42'],
    }),
    new_password: Type.String({
      maxLength: 256,
      description: 'The password from now on: at least 12 characters, hard to guess, not the current one',
      examples: ['amber-Lighthouse-Orchard-77'],
    }),
  },
  {
    additionalProperties: false,
    description: "The user's current password and the new one",
    examples: [
      { current_password: 'violet-Tangerine-Harbor-42', new_password: 'amber-Lighthouse-Orchard-77' },
    ],
  },
);

export const PasswordChangedReply = Type.Object(
  {
    user_id: Id('The user whose password changed'),
    other_sessions_ended: Type.Integer({
      minimum: 0,
      description:
        "How many of the user's other login sessions were ended: their tokens and cookies are refused " +
        'from now on (401 session_ended). The session that made the change goes on.',
      examples: [2],
    }),
    changed_at: Type.String({ format: 'date-time', description: 'When the password changed (UTC)' }),
  },
  { description: 'Changed: the new password logs in from now on; every other session has ended' },
);
export type PasswordChangedReply = Static<typeof PasswordChangedReply>;
