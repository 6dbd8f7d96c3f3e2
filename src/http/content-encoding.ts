import Negotiator from 'negotiator';

/** Whether an Accept-Encoding header accepts gzip (RFC 9110 §12.5.3: `gzip`, `x-gzip` or `*`, q > 0). */
export function acceptsGzip(header: string | undefined): boolean {
  const negotiator = new Negotiator({ headers: { 'accept-encoding': header } });
  if (negotiator.encoding(['gzip']) !== undefined) return true;
  // x-gzip is gzip (RFC 9110 §8.4.1.3), which Negotiator does not know: offered it as a name of its
  // own, it would take `*` for x-gzip even when gzip itself is refused (`gzip;q=0, *`).
  return negotiator.encodings().some((coding) => coding.toLowerCase() === 'x-gzip');
}
