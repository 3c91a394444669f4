/** The Fluxora web console: entry point, header, token form, hash routing. */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { initToken, setToken, watchResources } from './client.ts';
import { DriftMonitorPage } from './driftmonitor.tsx';
import { ModelDeploymentPage } from './modeldeployment.tsx';
import { RegistryPage } from './registry.tsx';
import { ResourcesPage } from './resources.tsx';
import { type Route, useAuth, useRoute, WatchContext, type WatchState } from './state.ts';
import { TrainingJobPage } from './trainingjob.tsx';

function Header({ route, watch }: { route: Route; watch: WatchState }) {
  const onRegistry = route.page === 'registry';
  const mode = watch.data?.mode;
  return (
    <header class="top">
      <a class="brand" href="#/">
        Fluxora <span class="muted">console</span>
      </a>
      <nav aria-label="Main">
        <a href="#/" aria-current={!onRegistry ? 'page' : undefined}>
          Resources
        </a>
        <a href="#/registry" aria-current={onRegistry ? 'page' : undefined}>
          Registry
        </a>
      </nav>
      <div class="top-status">
        {mode && (
          <span class="mode" title={mode === 'cluster' ? 'read from the Kubernetes API by the operator' : 'a local fluxora run'} data-testid="mode">
            {mode}
          </span>
        )}
        <span class={`live live-${watch.status}`} data-testid="live-status" title={watch.status === 'live' ? 'following changes' : (watch.error ?? 'connecting')} role="status">
          {watch.status}
        </span>
      </div>
    </header>
  );
}

function TokenForm({ error }: { error: string }) {
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <main id="main" tabIndex={-1}>
      <form
        class="token-form"
        data-testid="token-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) setToken(value);
        }}
      >
        <h1>Sign in</h1>
        <p class="error" role="alert">
          {error}
        </p>
        <label for="token">Console token</label>
        <input id="token" ref={input} type="password" autoComplete="off" spellcheck={false} value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        <button type="submit" disabled={!value.trim()}>
          Use token
        </button>
        <p class="muted small">
          The token is kept for this browser tab only (sessionStorage). You can also open the console with <code>#token=…</code> in the address.
        </p>
      </form>
    </main>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'resources':
      return <ResourcesPage />;
    case 'registry':
      return <RegistryPage />;
    case 'trainingjob':
      return <TrainingJobPage key={`${route.namespace}/${route.name}`} namespace={route.namespace} name={route.name} />;
    case 'modeldeployment':
      return <ModelDeploymentPage key={`${route.namespace}/${route.name}`} namespace={route.namespace} name={route.name} />;
    case 'driftmonitor':
      return <DriftMonitorPage key={`${route.namespace}/${route.name}`} namespace={route.namespace} name={route.name} />;
    default:
      return (
        <main id="main" tabIndex={-1}>
          <h1>Not found</h1>
          <p>
            There is no page at <code class="break">{route.path}</code>. <a href="#/">Back to the resources</a>.
          </p>
        </main>
      );
  }
}

const TITLES: Record<Route['page'], string> = {
  resources: 'Resources',
  registry: 'Registry',
  trainingjob: 'TrainingJob',
  modeldeployment: 'ModelDeployment',
  driftmonitor: 'DriftMonitor',
  notfound: 'Not found',
};

function App() {
  const route = useRoute();
  const auth = useAuth();
  const [watch, setWatch] = useState<WatchState>({ status: 'reconnecting', version: 0 });
  useEffect(
    () =>
      watchResources({
        onResources: (data) => setWatch((w) => ({ status: 'live', data, version: w.version + 1 })),
        onStatus: (status, error) => setWatch((w) => ({ ...w, status, error })),
      }),
    [],
  );
  useEffect(() => {
    const name = 'namespace' in route ? `${route.namespace}/${route.name}` : '';
    document.title = `${TITLES[route.page]}${name ? ` ${name}` : ''} · Fluxora console`;
  }, [route]);
  useEffect(() => {
    scrollTo(0, 0);
  }, [route]);
  return (
    <WatchContext.Provider value={watch}>
      <Header route={route} watch={watch} />
      {auth.error !== null ? <TokenForm error={auth.error} /> : <Page route={route} />}
    </WatchContext.Provider>
  );
}

initToken();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
