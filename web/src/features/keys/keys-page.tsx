import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type ClientCreated, unwrap } from '../../api.ts';
import { FieldError, ProblemMessage } from '../../components/problem-view.tsx';
import { TextField } from '../../components/text-field.tsx';
import { formatTime } from '../../format.ts';
import { PasswordForm } from '../auth/password-form.tsx';

const KEYS = ['clients'];

type Scope = NonNullable<ClientCreated['scopes']>[number];

/** The scopes a key may hold, with what each allows (the API's own list: src/contract/account-schemas.ts). */
const SCOPES: Array<{ scope: Scope; allows: string }> = [
  { scope: 'read', allows: 'see tasks, the catalog, estimates, previews and downloads' },
  { scope: 'write', allows: 'create, export, cancel and retry tasks; change and run audiences' },
  { scope: 'admin', allows: 'manage webhooks' },
];

/** A read-only value with a button that copies it. */
function Secret({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  const id = `secret-${label.toLowerCase().replaceAll(' ', '-')}`;
  return (
    <div className="field secret">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          onClick={async () => {
            await navigator.clipboard.writeText(value);
            setCopied(true);
          }}
        >
          {copied ? 'Copied' : `Copy ${label.toLowerCase()}`}
        </button>
      </div>
    </div>
  );
}

/**
 * The key and secret of a new client, shown this once. They live in this component's state only:
 * never in storage, gone when the user dismisses them or leaves the page.
 */
function CreatedKey({ created, onDone }: { created: ClientCreated; onDone: () => void }) {
  return (
    <section className="card created" aria-labelledby="created-title">
      <h2 id="created-title">Key “{created.name}” created</h2>
      <p className="warning" role="alert">
        Copy the API key and secret now: they are shown this once and cannot be shown again.
      </p>
      <Secret label="API key" value={created.api_key} />
      <Secret label="API secret" value={created.api_secret} />
      <button type="button" onClick={onDone}>
        I have copied them
      </button>
    </section>
  );
}

export function KeysPage() {
  const client = useQueryClient();
  const [created, setCreated] = useState<ClientCreated | undefined>();
  const [confirming, setConfirming] = useState<string | undefined>();
  const list = useQuery({ queryKey: KEYS, queryFn: async () => unwrap(await api.GET('/client/v1')) });
  const create = useMutation({
    mutationFn: async (body: { name: string; scopes: Scope[] }) =>
      unwrap(await api.POST('/client/v1', { body })),
    onSuccess: (answer) => {
      setCreated(answer);
      void client.invalidateQueries({ queryKey: KEYS });
    },
  });
  const revoke = useMutation({
    mutationFn: async (clientId: string) =>
      unwrap(await api.DELETE('/client/v1/{client_id}', { params: { path: { client_id: clientId } } })),
    onSuccess: () => {
      setConfirming(undefined);
      void client.invalidateQueries({ queryKey: KEYS });
    },
  });
  const clients = list.data?.clients ?? [];
  return (
    <div className="stack">
      <h1>API keys</h1>
      <p>Keys let programs (the CLI, the client library, your scripts) use the API for your organisation.</p>
      {created ? <CreatedKey created={created} onDone={() => setCreated(undefined)} /> : null}
      <section className="card">
        <h2>Create a key</h2>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const values = new FormData(form);
            const scopes = values.getAll('scopes').map(String) as Scope[];
            create.mutate(
              { name: String(values.get('name') ?? ''), scopes },
              { onSuccess: () => form.reset() },
            );
          }}
        >
          <TextField label="Name" field="name" required maxLength={200} error={create.error} />
          <fieldset className="field">
            <legend>Scopes</legend>
            {SCOPES.map(({ scope, allows }) => (
              <label className="inline" key={scope}>
                <input type="checkbox" name="scopes" value={scope} defaultChecked />
                <span>
                  <strong>{scope}</strong>: {allows}
                </span>
              </label>
            ))}
            <FieldError id="field-scopes-error" error={create.error} field="scopes" />
          </fieldset>
          <ProblemMessage error={create.error} skipFields={['name', 'scopes']} />
          <button type="submit" disabled={create.isPending}>
            Create key
          </button>
        </form>
      </section>
      <section className="card">
        <h2>Keys</h2>
        <ProblemMessage error={list.error ?? revoke.error} />
        {clients.length === 0 && list.isSuccess ? <p>No keys yet.</p> : null}
        {clients.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Prefix</th>
                  <th scope="col">Name</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {clients.map((c) => (
                  <tr key={c.client_id}>
                    <td>
                      <code>{c.key_prefix}…</code>
                    </td>
                    <td>{c.name}</td>
                    <td>{c.scopes.join(', ')}</td>
                    <td>{formatTime(c.created_at)}</td>
                    <td>
                      {c.revoked_at ? (
                        <span className="muted">Revoked {formatTime(c.revoked_at)}</span>
                      ) : confirming === c.client_id ? (
                        <span className="confirm">
                          <span>Revoke “{c.name}”? Programs using it stop at once.</span>
                          <button
                            type="button"
                            className="danger"
                            disabled={revoke.isPending}
                            onClick={() => revoke.mutate(c.client_id)}
                          >
                            Yes, revoke
                          </button>
                          <button type="button" onClick={() => setConfirming(undefined)}>
                            Keep
                          </button>
                        </span>
                      ) : (
                        <button type="button" onClick={() => setConfirming(c.client_id)}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      <PasswordForm />
    </div>
  );
}
