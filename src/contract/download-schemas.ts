import { Type } from '@sinclair/typebox';

export const DownloadParams = Type.Object({
  file_id: Type.String({ maxLength: 64 }),
  name: Type.String({ maxLength: 256 }),
});

/** Checked by the route itself, so a missing or malformed signature is a 403 like a wrong one. */
export const DownloadQuery = Type.Object({
  expires: Type.Optional(Type.String({ maxLength: 32 })),
  signature: Type.Optional(Type.String({ maxLength: 128 })),
});
