/** Schemes that name objects in an S3-compatible store. */
export type ObjectScheme = 's3' | 'gs';

export interface ObjectLocation {
  scheme: ObjectScheme;
  bucket: string;
  /** Key or key prefix, without a leading slash; '' for the bucket root. */
  key: string;
}

const URI = /^(s3|gs):\/\/([a-z0-9][a-z0-9.\-_]{1,254})(?:\/(.*))?$/;

/** Parses `s3://bucket/key` or `gs://bucket/key`; undefined for anything else. */
export function parseObjectUri(uri: string): ObjectLocation | undefined {
  const match = URI.exec(uri);
  if (!match) return undefined;
  const key = (match[3] ?? '').replace(/\/+$/, '');
  if (key.split('/').some((segment) => segment === '..' || segment === '.')) return undefined;
  return { scheme: match[1] as ObjectScheme, bucket: match[2]!, key };
}

export function objectUri(location: ObjectLocation): string {
  return `${location.scheme}://${location.bucket}${location.key ? `/${location.key}` : ''}`;
}

/** True when `uri` names an object store rather than a local path. */
export function isObjectUri(uri: string): boolean {
  return /^(s3|gs):\/\//.test(uri);
}

/** True when `inner` is `outer` or below it (whole path segments only). */
export function isWithinObject(outer: ObjectLocation, inner: ObjectLocation): boolean {
  if (outer.scheme !== inner.scheme || outer.bucket !== inner.bucket) return false;
  return outer.key === '' || inner.key === outer.key || inner.key.startsWith(`${outer.key}/`);
}
