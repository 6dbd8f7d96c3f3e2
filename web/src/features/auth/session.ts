import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Session, setCsrfToken, unwrap } from '../../api.ts';

export const SESSION_KEY = ['session'];

/** The session ended under the console (expired, or logged out in another tab): show the login. */
export function sessionEnded(client: QueryClient): void {
  setCsrfToken(undefined);
  client.setQueryData(SESSION_KEY, null);
}

/**
 * Who is logged in: asked of the API on every page load, since the session lives in an HttpOnly
 * cookie the console cannot read. `null` when nobody is.
 */
export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async (): Promise<Session | null> => {
      // Signed out is an answer (200, `signed_in: false`), so a visit logs no failed request.
      const state = unwrap(await api.GET('/auth/v1/session'));
      if (!state.signed_in) {
        setCsrfToken(undefined);
        return null;
      }
      setCsrfToken(state.csrf_token);
      return state;
    },
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}

/** Logs in: the API sets the cookie and answers the CSRF token, which stays in memory. */
export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: { email: string; password: string }) =>
      unwrap(await api.POST('/auth/v1/session', { body })),
    onSuccess: (session) => {
      setCsrfToken(session.csrf_token);
      client.setQueryData(SESSION_KEY, session);
    },
  });
}

export interface SignUpFields {
  email: string;
  password: string;
  first_name: string;
  last_name: string;
  organization_name: string;
}

/** Registers, then logs in with the same e-mail and password. */
export function useSignUp() {
  const login = useLogin();
  return useMutation({
    mutationFn: async (body: SignUpFields) => {
      unwrap(await api.POST('/auth/v1/register', { body }));
      return login.mutateAsync({ email: body.email, password: body.password });
    },
  });
}

/** Logs out: the API removes the cookie; every cached answer of the session goes with it. */
export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      unwrap(await api.DELETE('/auth/v1/session'));
    },
    onSettled: () => {
      setCsrfToken(undefined);
      // The session first: its observer (the app) switches to the public pages. Clearing the whole
      // cache would leave that observer on a removed query, showing the old session.
      client.setQueryData(SESSION_KEY, null);
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
    },
  });
}
