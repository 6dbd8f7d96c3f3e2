import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, type Topic, unwrap } from '../../api.ts';

interface TopicPickerProps {
  selected: Topic[];
  /** A topic added (its prefix is added with it) or removed. */
  onChange: (selected: Topic[]) => void;
}

/**
 * "Topics by name": a search of the topic index (the server filters its cached index, so each
 * keystroke is cheap) whose results are added with a button; the chosen topics stay listed above it,
 * each removable. Without any, the segment holds every topic of its prefixes.
 */
export function TopicPicker({ selected, onChange }: TopicPickerProps) {
  const [search, setSearch] = useState('');
  const id = useId();
  const q = search.trim();
  const found = useQuery({
    queryKey: ['topics', 'search', q],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/catalog/intent/topics', { params: { query: { q, limit: '20' } } })),
    enabled: q.length > 0,
  });
  const chosen = new Set(selected.map((t) => t.topic_id));
  return (
    <fieldset className="field topics">
      <legend>Topics by name (optional)</legend>
      <div className="chips" aria-live="polite">
        {selected.length === 0 ? <span className="muted">Every topic of the prefixes</span> : null}
        {selected.map((topic) => (
          <button
            key={topic.topic_id}
            type="button"
            className="chip"
            aria-label={`Remove topic ${topic.topic_name}`}
            onClick={() => onChange(selected.filter((t) => t.topic_id !== topic.topic_id))}
          >
            {topic.topic_name} ({topic.topic_id}) ×
          </button>
        ))}
      </div>
      <label htmlFor={`${id}-search`} className="visually-hidden">
        Search topics by name
      </label>
      <input
        id={`${id}-search`}
        type="search"
        placeholder="Search topics by name, e.g. cloud"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      {found.data ? (
        <ul className="checklist topic-results" aria-label="Topics found">
          {found.data.topics.map((topic) => (
            <li key={topic.topic_id}>
              <button
                type="button"
                className="small"
                disabled={chosen.has(topic.topic_id)}
                aria-label={`Add topic ${topic.topic_name}`}
                onClick={() => onChange([...selected, topic])}
              >
                Add
              </button>{' '}
              {topic.topic_name}{' '}
              <span className="muted">
                {topic.topic_id} · {topic.prefix} · {topic.people.toLocaleString()} people over{' '}
                {found.data.days.length} days
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {found.data && found.data.total === 0 ? <p className="muted">No topic matches “{q}”.</p> : null}
      {found.data && found.data.total > found.data.topics.length ? (
        <p className="muted">{found.data.total - found.data.topics.length} more: narrow the search.</p>
      ) : null}
    </fieldset>
  );
}
