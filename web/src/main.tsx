import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProblem } from './api.ts';
import { App } from './app.tsx';
import { SESSION_KEY, sessionEnded } from './features/auth/session.ts';
import './styles.css';

/** A 401 from any call but the session's own means the session is gone: back to the login. */
function onError(error: Error, key?: readonly unknown[]) {
  if (error instanceof ApiProblem && error.status === 401 && key?.[0] !== SESSION_KEY[0])
    sessionEnded(queries);
}

const queries: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (error, query) => onError(error, query.queryKey) }),
  mutationCache: new MutationCache({ onError: (error) => onError(error) }),
  defaultOptions: {
    queries: {
      // The API's 4xx answers are final; only a network failure or a 5xx is worth another try.
      retry: (failures, error) => failures < 2 && !(error instanceof ApiProblem && error.status < 500),
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
