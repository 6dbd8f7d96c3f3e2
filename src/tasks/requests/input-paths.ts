import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../errors.ts';
import {
  isWithinObject,
  type ObjectLocation,
  objectUri,
  parseObjectUri,
} from '../../storage/object-location.ts';

export interface InputPathPolicy {
  /** Real paths of the folders `input_path` may name. */
  roots: readonly string[];
  /** Real paths no input may reach into (the export tree: other organisations' files). */
  forbidden: readonly string[];
  /** Buckets (and prefixes) `input_path` may name with `s3://` or `gs://`. */
  buckets?: readonly ObjectLocation[];
  /** Object locations no input may reach into (an export tree in a bucket). */
  forbiddenObjects?: readonly ObjectLocation[];
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

function forbidden(message: string): AppError {
  return new AppError('input_path_forbidden', `input_path: ${message}`, [{ field: 'input_path', message }]);
}

/**
 * Where `input_path` may point, as the guard decides it: the real paths of the allowed local
 * folders (after symlinks, which is what a path is compared with), and the allowed buckets.
 */
function allowedInputs(policy: InputPathPolicy): string {
  const buckets = (policy.buckets ?? []).map(objectUri);
  const folders = policy.roots.length > 0 ? policy.roots.join(', ') : 'none';
  return `allowed: folders under ${folders}${buckets.length > 0 ? `, or ${buckets.join(', ')}` : ''}`;
}

/** True when `child` is `parent` or inside it. */
export function isWithin(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Resolves a client's `input_path`: an `s3://`/`gs://` location inside an allowed bucket, or a local
 * folder (see resolveLocalInput).
 */
export async function resolveInput(raw: string, policy: InputPathPolicy): Promise<string> {
  if (!/^(s3|gs):\/\//i.test(raw)) return resolveLocalInput(raw, policy);
  const location = parseObjectUri(raw);
  if (!location) {
    throw forbidden(
      'is not a valid bucket location; use s3://bucket/prefix or gs://bucket/prefix (lower case, no ..)',
    );
  }
  const allowed = policy.buckets ?? [];
  if (!allowed.some((outer) => isWithinObject(outer, location))) {
    const names = allowed.map(objectUri).join(', ') || 'none';
    throw forbidden(
      `${objectUri(location)} is not in a bucket this server allows as input (allowed: ${names})`,
    );
  }
  if (
    (policy.forbiddenObjects ?? []).some(
      (dir) => isWithinObject(dir, location) || isWithinObject(location, dir),
    )
  ) {
    throw forbidden("may not include the service's own locations (exports, audience snapshots)");
  }
  return objectUri(location);
}

/**
 * Resolves a client's `input_path` to a real local folder inside an allowed root, after `..` and
 * symlinks; anything else is a 400 that says what is allowed.
 */
export async function resolveLocalInput(raw: string, policy: InputPathPolicy): Promise<string> {
  if (raw.trim() === '' || raw.includes('\0')) throw forbidden('must be a non-empty path without NUL bytes');
  if (raw.startsWith('\\\\') || raw.startsWith('//')) throw forbidden('network (UNC) paths are not allowed');
  if (SCHEME.test(raw)) {
    throw forbidden(
      `"${raw.slice(0, 16)}..." names a URL scheme; use a local folder under an allowed input root (${allowedInputs(policy)})`,
    );
  }
  if (raw.startsWith('~')) {
    throw forbidden(
      `home-directory paths (~) are not allowed; use an absolute path (${allowedInputs(policy)})`,
    );
  }
  if (!path.isAbsolute(raw)) {
    throw forbidden(`must be an absolute path under an allowed input root (${allowedInputs(policy)})`);
  }
  const lexical = path.resolve(raw);
  // Check before touching the disk so a probe cannot learn which outside paths exist.
  if (!policy.roots.some((root) => isWithin(root, lexical))) {
    throw forbidden(`is outside the folders this server allows as input (${allowedInputs(policy)})`);
  }
  let real: string;
  try {
    real = await fs.realpath(lexical);
  } catch {
    throw new AppError('input_path_not_found', 'input_path: no such folder', [
      { field: 'input_path', message: 'no such folder' },
    ]);
  }
  if (!policy.roots.some((root) => isWithin(root, real))) {
    // A symlink inside a root that leads out of every root.
    throw forbidden(`leads outside the folders this server allows as input (${allowedInputs(policy)})`);
  }
  if (policy.forbidden.some((dir) => isWithin(dir, real) || isWithin(real, dir))) {
    throw forbidden("may not include the service's own folders (exports, audience snapshots)");
  }
  return real;
}
