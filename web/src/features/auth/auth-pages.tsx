import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { ProblemMessage } from '../../components/problem-view.tsx';
import { TextField } from '../../components/text-field.tsx';
import { type SignUpFields, useLogin, useSignUp } from './session.ts';

/**
 * The API's password policy (src/accounts/password-policy.ts: `MIN_PASSWORD_LENGTH`, zxcvbn score 4),
 * shown before the first try; the API's own message still comes under the field when it refuses one.
 */
export const PASSWORD_RULES =
  'At least 12 characters and hard to guess: not a common password, not built from your e-mail or name. A few unrelated words make a strong one.';

/** Values of a form's named inputs. */
function formValues(event: FormEvent<HTMLFormElement>): Record<string, string> {
  event.preventDefault();
  return Object.fromEntries([...new FormData(event.currentTarget).entries()].map(([k, v]) => [k, String(v)]));
}

export function LoginPage() {
  const login = useLogin();
  const [, navigate] = useLocation();
  return (
    <section className="card narrow">
      <h1>Log in</h1>
      <p className="tagline">
        Count and export visitors by intent topic, score and day — as Parquet, CSV or JSON Lines, here or
        through the API.
      </p>
      <form
        onSubmit={(event) => {
          const { email = '', password = '' } = formValues(event);
          login.mutate({ email, password }, { onSuccess: () => navigate('/audiences') });
        }}
      >
        <TextField
          label="Email"
          field="email"
          type="email"
          autoComplete="username"
          required
          error={login.error}
        />
        <TextField
          label="Password"
          field="password"
          type="password"
          autoComplete="current-password"
          required
          error={login.error}
        />
        <ProblemMessage error={login.error} skipFields={['email', 'password']} />
        <button type="submit" disabled={login.isPending}>
          Log in
        </button>
      </form>
      <p>
        No account yet? <Link href="/signup">Sign up</Link>
      </p>
    </section>
  );
}

export function SignUpPage() {
  const signUp = useSignUp();
  const [showPassword, setShowPassword] = useState(false);
  const fields = ['email', 'password', 'first_name', 'last_name', 'organization_name'];
  return (
    <section className="card narrow">
      <h1>Sign up</h1>
      <form
        onSubmit={(event) => {
          const values = formValues(event) as unknown as SignUpFields;
          // Once the session exists, the console's routes take the new user to the builder.
          signUp.mutate(values);
        }}
      >
        <TextField
          label="Email"
          field="email"
          type="email"
          autoComplete="email"
          required
          error={signUp.error}
        />
        <TextField
          label="Password"
          field="password"
          type={showPassword ? 'text' : 'password'}
          autoComplete="new-password"
          required
          hint={PASSWORD_RULES}
          error={signUp.error}
        />
        <label className="inline">
          <input type="checkbox" checked={showPassword} onChange={(e) => setShowPassword(e.target.checked)} />{' '}
          Show password
        </label>
        <TextField
          label="First name"
          field="first_name"
          autoComplete="given-name"
          required
          error={signUp.error}
        />
        <TextField
          label="Last name"
          field="last_name"
          autoComplete="family-name"
          required
          error={signUp.error}
        />
        <TextField
          label="Organization"
          field="organization_name"
          autoComplete="organization"
          required
          error={signUp.error}
        />
        <ProblemMessage error={signUp.error} skipFields={fields} />
        <button type="submit" disabled={signUp.isPending}>
          Sign up
        </button>
      </form>
      <p>
        Have an account? <Link href="/login">Log in</Link>
      </p>
    </section>
  );
}
