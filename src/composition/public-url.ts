/**
 * The base of the download links this process hands out. With PUBLIC_URL it is known from the start.
 * Without, it is the API's own address, known only once its listener is bound (`PORT=0` picks the
 * port then): the API builder fixes it right after `listen`, before the first request is answered
 * and before the worker is built, so every reader sees the one value and none sees a placeholder.
 */
export class PublicUrl {
  private value: string | undefined;

  constructor(known?: string) {
    this.value = known;
  }

  /** Whether the base is still to be fixed by the API's listener. */
  get pending(): boolean {
    return this.value === undefined;
  }

  /** Sets the base once: the API's address when PUBLIC_URL is unset. */
  fix(url: string): void {
    if (this.value !== undefined) throw new Error('the public URL is fixed already');
    this.value = url;
  }

  /** The base; reading it before it is fixed is a bug in the order of the start. */
  get url(): string {
    if (this.value === undefined) throw new Error('the public URL was read before the API listened');
    return this.value;
  }
}
