import { type Static, Type } from '@sinclair/typebox';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Name = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Type.String({
      maxLength: 256,
      description: 'At least 12 characters, not a common password',
    }),
    first_name: Name('First name'),
    last_name: Name('Last name'),
    organization_name: Name('Name of the organisation created for this user'),
  },
  { additionalProperties: false },
);

export const RegisterReply = Type.Object({
  user_id: Type.String(),
  organization_id: Type.String(),
  organization_name: Type.String(),
  email: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});
export type RegisterReply = Static<typeof RegisterReply>;

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const LoginReply = Type.Object({
  user_id: Type.String(),
  organization_id: Type.String(),
  token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_at: Type.String({ format: 'date-time' }),
});
export type LoginReply = Static<typeof LoginReply>;

export const SessionReply = Type.Object({
  user_id: Type.String(),
  organization_id: Type.String(),
  csrf_token: Type.String({ description: 'Send it as X-CSRF-Token on every request that is not a GET' }),
});

export const ClientBody = Type.Object(
  { name: Name('A name to tell the client apart') },
  { additionalProperties: false },
);

export const ClientCreatedReply = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  api_key: Type.String({ description: 'Shown this once; send it as X-API-Key' }),
  api_secret: Type.String({ description: 'Shown this once; stored only as a hash' }),
  key_prefix: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});
export type ClientCreatedReply = Static<typeof ClientCreatedReply>;

/** An API client as listed: never its key or secret, only the prefix that tells keys apart. */
export const ClientView = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  key_prefix: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ClientView = Static<typeof ClientView>;

export const ClientList = Type.Object({ clients: Type.Array(ClientView) });

export const ClientParams = Type.Object({ client_id: Type.String({ maxLength: 64 }) });
