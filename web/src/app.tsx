import type { ReactNode } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import type { Session } from './api.ts';
import { ProblemMessage } from './components/problem-view.tsx';
import { AudiencePage } from './features/audiences/audience-page.tsx';
import { LoginPage, SignUpPage } from './features/auth/auth-pages.tsx';
import { useLogout, useSession } from './features/auth/session.ts';
import { KeysPage } from './features/keys/keys-page.tsx';
import { OverlapPage } from './features/overlap/overlap-page.tsx';
import { AudienceListPage } from './features/saved-audiences/audience-list-page.tsx';
import { AUDIENCE_LIST_PATH } from './features/saved-audiences/paths.ts';
import { SavedAudiencePage } from './features/saved-audiences/saved-audience-page.tsx';
import { TaskPage } from './features/tasks/task-page.tsx';
import { TasksPage } from './features/tasks/tasks-page.tsx';

function NavLink({
  href,
  children,
  matches = (location) => location === href || (href !== '/' && location.startsWith(`${href}/`)),
}: {
  href: string;
  children: ReactNode;
  /** Whether the page at `location` belongs to this entry; default: `href` and the pages under it. */
  matches?: (location: string) => boolean;
}) {
  const [location] = useLocation();
  const current = matches(location);
  return (
    <Link href={href} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}

function Header({ session }: { session: Session | null | undefined }) {
  const logout = useLogout();
  const signedIn = Boolean(session);
  return (
    <header className="top">
      <a href="#main" className="skip">
        Skip to content
      </a>
      <span className="brand">Audiences</span>
      <nav aria-label="Main">
        {signedIn ? (
          <>
            {/* The builder is /audiences itself; the pages under /audiences/ are the saved audiences'. */}
            <NavLink href={AUDIENCE_LIST_PATH} matches={(l) => l.startsWith('/audiences/')}>
              Audiences
            </NavLink>
            <NavLink href="/audiences" matches={(l) => l === '/audiences'}>
              Build an audience
            </NavLink>
            <NavLink href="/tasks">Tasks</NavLink>
            <NavLink href="/overlap">Overlap</NavLink>
            <NavLink href="/keys">API keys</NavLink>
          </>
        ) : null}
        <a href="/docs">API reference</a>
        {session ? (
          <span className="who" data-testid="who">
            {session.first_name} {session.last_name} · {session.organization_name}
          </span>
        ) : null}
        {signedIn ? (
          // No navigation here: without a session, the public routes send every page to the login.
          <button type="button" className="link" onClick={() => logout.mutate()}>
            Log out
          </button>
        ) : null}
      </nav>
    </header>
  );
}

/** The console: public pages for signing up and in, the rest behind the session. */
export function App() {
  const session = useSession();
  if (session.isPending) return <p aria-busy="true">Loading…</p>;
  const signedIn = Boolean(session.data);
  return (
    <>
      <Header session={session.data} />
      <main id="main">
        <ProblemMessage error={session.error} />
        {signedIn ? (
          <Switch>
            <Route path="/audiences" component={AudiencePage} />
            <Route path={AUDIENCE_LIST_PATH} component={AudienceListPage} />
            <Route path="/audiences/:audienceId">
              {(params) => <SavedAudiencePage key={params.audienceId} audienceId={params.audienceId} />}
            </Route>
            <Route path="/tasks" component={TasksPage} />
            <Route path="/tasks/:taskId">{(params) => <TaskPage taskId={params.taskId} />}</Route>
            <Route path="/overlap" component={OverlapPage} />
            <Route path="/keys" component={KeysPage} />
            {/* Just signed up: the builder shows what the product does; API keys wait in the menu. */}
            <Route path="/signup">
              <Redirect to="/audiences" />
            </Route>
            <Route>
              <Redirect to="/audiences" />
            </Route>
          </Switch>
        ) : (
          <Switch>
            <Route path="/signup" component={SignUpPage} />
            <Route path="/login" component={LoginPage} />
            <Route>
              <Redirect to="/login" />
            </Route>
          </Switch>
        )}
      </main>
    </>
  );
}
