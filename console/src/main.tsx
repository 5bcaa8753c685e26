import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { apiKey, setApiKey } from './api';
import { ConfirmHost } from './components/common';
import { DatasetPage } from './pages/DatasetPage';
import { DatasetsPage } from './pages/DatasetsPage';
import { ModelPage } from './pages/ModelPage';
import { ModelsPage } from './pages/ModelsPage';
import { OperationPage, OperationsPage } from './pages/OperationsPage';
import { href, useRoute } from './router';
import './styles.css';

function ApiKeyControl() {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(apiKey());
  const [saved, setSaved] = useState(apiKey() !== '');
  const [message, setMessage] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onUnauthenticated = (e: Event) => {
      setMessage((e as CustomEvent<string>).detail || 'The server needs an API key.');
      setOpen(true);
    };
    window.addEventListener('nimbus-unauthenticated', onUnauthenticated);
    return () => window.removeEventListener('nimbus-unauthenticated', onUnauthenticated);
  }, []);
  useEffect(() => {
    if (open) input.current?.focus();
  }, [open]);
  const save = (e: Event) => {
    e.preventDefault();
    setApiKey(value.trim());
    setSaved(value.trim() !== '');
    setMessage(undefined);
    setOpen(false);
  };
  return (
    <div class="apikey">
      <button type="button" class="ghost" aria-expanded={open} aria-controls="apikey-form" onClick={() => setOpen(!open)}>
        {saved ? 'API key: set' : 'API key'}
      </button>
      {open && (
        <form id="apikey-form" class="apikey-form" onSubmit={save}>
          {message && <p class="error" role="alert">{message}</p>}
          <label>
            API key
            <input ref={input} type="password" autoComplete="off" value={value}
              onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
          </label>
          <p class="hint">Sent as the <code>x-api-key</code> header; kept in this browser only.</p>
          <div class="actions">
            <button type="submit" class="primary">Save key</button>
            <button type="button" class="ghost" onClick={() => { setValue(''); setApiKey(''); setSaved(false); setOpen(false); }}>
              Clear
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

function App() {
  const route = useRoute();
  const [section, id, sub] = route.parts;
  let page;
  let current = section ?? 'datasets';
  if (!section || section === 'datasets') {
    current = 'datasets';
    page = id ? <DatasetPage id={id} tab={sub ?? 'images'} query={route.query} /> : <DatasetsPage query={route.query} />;
  } else if (section === 'models') {
    page = id ? <ModelPage id={id} tab={sub ?? 'overview'} query={route.query} /> : <ModelsPage query={route.query} />;
  } else if (section === 'operations') {
    page = id ? <OperationPage id={id} /> : <OperationsPage query={route.query} />;
  } else {
    page = (
      <section>
        <h1>Page not found</h1>
        <p><a href={href('datasets')}>Go to the datasets</a></p>
      </section>
    );
  }
  useEffect(() => {
    const h1 = document.querySelector('main h1');
    document.title = `${h1?.textContent ? `${h1.textContent} · ` : ''}Nimbus`;
  });
  const nav = (name: string, text: string) => (
    <a href={href(name)} aria-current={current === name ? 'page' : undefined}>{text}</a>
  );
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={href('datasets')}>
          <svg viewBox="0 0 32 32" aria-hidden="true" width="22" height="22">
            <path d="M9 25a6 6 0 0 1-.5-12A8 8 0 0 1 24 11a6 6 0 0 1 0 14z" fill="currentColor" />
          </svg>
          Nimbus
        </a>
        <nav class="mainnav" aria-label="Main">
          {nav('datasets', 'Datasets')}
          {nav('models', 'Models')}
          {nav('operations', 'Operations')}
        </nav>
        <ApiKeyControl />
      </header>
      <main id="main" tabIndex={-1}>{page}</main>
      <ConfirmHost />
    </>
  );
}

render(<App />, document.getElementById('app')!);
