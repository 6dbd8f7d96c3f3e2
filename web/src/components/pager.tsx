import { useState } from 'react';

/** Cursor paging over a newest-first list: the cursors of the pages before this one, so "Newer" can go back. */
export function useCursorPages() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    first: cursors.length === 0,
    newer: () => setCursors((c) => c.slice(0, -1)),
    older: (next: string) => setCursors((c) => [...c, next]),
  };
}

/** "Newer" and "Older" under a list; shown only once there is more than one page. */
export function Pager({
  pages,
  nextCursor,
  label,
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor: string | null | undefined;
  label: string;
}) {
  if (pages.first && !nextCursor) return null;
  return (
    <nav className="row" aria-label={label}>
      <button type="button" disabled={pages.first} onClick={pages.newer}>
        Newer
      </button>
      <button type="button" disabled={!nextCursor} onClick={() => nextCursor && pages.older(nextCursor)}>
        Older
      </button>
    </nav>
  );
}
