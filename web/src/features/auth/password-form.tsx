import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../api.ts';
import { ProblemMessage } from '../../components/problem-view.tsx';
import { TextField } from '../../components/text-field.tsx';
import { PASSWORD_RULES } from './auth-pages.tsx';

/**
 * Changes the signed-in user's password. The API ends every other session of the user; this one
 * goes on. A wrong current password is a 403 the form shows under its field (a 401 would sign out).
 */
export function PasswordForm() {
  const change = useMutation({
    mutationFn: async (body: { current_password: string; new_password: string }) =>
      unwrap(await api.POST('/auth/v1/password', { body })),
  });
  const ended = change.data?.other_sessions_ended;
  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Change your password</h2>
      <p>
        Your other sessions end at once (other browsers, the command line’s login); this one goes on. API keys
        keep working.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const values = new FormData(form);
          change.mutate(
            {
              current_password: String(values.get('current_password') ?? ''),
              new_password: String(values.get('new_password') ?? ''),
            },
            { onSuccess: () => form.reset() },
          );
        }}
      >
        <TextField
          label="Current password"
          field="current_password"
          type="password"
          autoComplete="current-password"
          required
          error={change.error}
        />
        <TextField
          label="New password"
          field="new_password"
          type="password"
          autoComplete="new-password"
          required
          hint={PASSWORD_RULES}
          error={change.error}
        />
        <ProblemMessage error={change.error} skipFields={['current_password', 'new_password']} />
        {ended !== undefined ? (
          <p role="status">
            Password changed; {ended} other {ended === 1 ? 'session' : 'sessions'} ended.
          </p>
        ) : null}
        <button type="submit" disabled={change.isPending}>
          Change password
        </button>
      </form>
    </section>
  );
}
