import { useId, useState } from 'react';

interface PrefixPickerProps {
  prefixes: string[];
  /** Each prefix's topic names, most rows first, when they are known. */
  topicNames?: ReadonlyMap<string, string[]> | undefined;
  selected: string[];
  onChange: (selected: string[]) => void;
}

/** Topic names shown beside a prefix. */
const NAMES_SHOWN = 3;

/** The most prefixes listed at once: a search narrows the rest down. */
const SHOWN = 200;

/**
 * "Topic prefixes": a searchable multi-select. A search box narrows a list of checkboxes (all
 * reachable with Tab and Space); the chosen prefixes stay listed above it, each removable.
 */
export function PrefixPicker({ prefixes, topicNames, selected, onChange }: PrefixPickerProps) {
  const [search, setSearch] = useState('');
  const id = useId();
  const chosen = new Set(selected);
  const needle = search.trim().toLowerCase();
  const matches = prefixes.filter((p) => p.toLowerCase().includes(needle));
  const toggle = (prefix: string, on: boolean) =>
    onChange(on ? [...selected, prefix].sort() : selected.filter((p) => p !== prefix));
  return (
    <fieldset className="field prefixes">
      <legend>Topic prefixes</legend>
      <div className="chips" aria-live="polite">
        {selected.length === 0 ? <span className="muted">None chosen</span> : null}
        {selected.map((prefix) => (
          <button
            key={prefix}
            type="button"
            className="chip"
            aria-label={`Remove ${prefix}`}
            onClick={() => toggle(prefix, false)}
          >
            {prefix} ×
          </button>
        ))}
      </div>
      <label htmlFor={`${id}-search`} className="visually-hidden">
        Search topic prefixes
      </label>
      <input
        id={`${id}-search`}
        type="search"
        placeholder="Search topic prefixes"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <div className="row small">
        <button type="button" onClick={() => onChange([...new Set([...selected, ...matches])].sort())}>
          Select {needle ? 'matching' : 'all'} ({matches.length})
        </button>
        <button type="button" onClick={() => onChange([])} disabled={selected.length === 0}>
          Clear
        </button>
      </div>
      <ul className="checklist" aria-label="Topic prefixes to choose from">
        {matches.slice(0, SHOWN).map((prefix) => (
          <li key={prefix}>
            <label className="inline">
              <input
                type="checkbox"
                checked={chosen.has(prefix)}
                onChange={(e) => toggle(prefix, e.target.checked)}
              />{' '}
              {prefix}
            </label>
            {/* Beside the label, so the checkbox is still named by its prefix alone. */}
            <TopicNames names={topicNames?.get(prefix)} />
          </li>
        ))}
      </ul>
      {matches.length > SHOWN ? (
        <p className="muted">{matches.length - SHOWN} more: narrow the search.</p>
      ) : null}
      {matches.length === 0 ? <p className="muted">No prefix matches “{search}”.</p> : null}
    </fieldset>
  );
}

/** A prefix's first topic names, and how many more it has. */
function TopicNames({ names }: { names: string[] | undefined }) {
  if (!names || names.length === 0) return null;
  const more = names.length - NAMES_SHOWN;
  return (
    <span className="muted">
      {' '}
      — {names.slice(0, NAMES_SHOWN).join(', ')}
      {more > 0 ? ` and ${more} more` : ''}
    </span>
  );
}
