/** What a plain `filename` parameter cannot carry: anything but printable ASCII, and `"`, `\`, `%`. */
const NOT_PLAIN = /[^\x20-\x7e]|["\\%]/g;

/**
 * A `Content-Disposition: attachment` value that names the saved file (RFC 6266): a quoted
 * `filename` every client reads, with the characters it cannot carry replaced by `_`, and, when
 * that changed the name, the exact name as `filename*` (RFC 8187: UTF-8, percent-encoded), which
 * clients prefer when they know it. The value is plain ASCII, so it fits any HTTP header, and a
 * presigned link's `response-content-disposition` too.
 */
export function attachmentDisposition(fileName: string): string {
  // A lone surrogate cannot be encoded as UTF-8 (encodeURIComponent throws on one).
  const name = fileName.replace(/\p{Cs}/gu, '\uFFFD');
  const plain = name.replace(NOT_PLAIN, '_');
  const header = `attachment; filename="${plain}"`;
  return plain === name ? header : `${header}; filename*=UTF-8''${extValue(name)}`;
}

/** RFC 8187 `value-chars`: percent-encoded UTF-8 of everything but `attr-char`. */
function extValue(text: string): string {
  return encodeURIComponent(text).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
