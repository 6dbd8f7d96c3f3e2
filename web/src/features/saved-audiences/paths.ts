/**
 * Where the saved audiences live in the console. The builder keeps `/audiences` (links and bookmarks
 * point there), so the list sits beside the audiences' own pages.
 */
export const AUDIENCE_LIST_PATH = '/audiences/saved';

export function audiencePath(audienceId: string): string {
  return `/audiences/${encodeURIComponent(audienceId)}`;
}
