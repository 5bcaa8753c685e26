// Hash routing (`#/datasets/clouds?label=cirrus&split=TEST`): every page, with its filters, is a link that can
// be shared, and works whatever path the server serves the console at.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** Path segments after `#/`, decoded. */
  parts: string[];
  query: URLSearchParams;
}

export function parseRoute(hash = location.hash): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { parts, query };
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function href(path: string, query?: Query): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  }
  const s = q.toString();
  return `#/${path.replace(/^\//, '')}${s ? `?${s}` : ''}`;
}

export function navigate(path: string, query?: Query, replace = false): void {
  const target = href(path, query);
  if (replace) history.replaceState(history.state, '', target);
  else history.pushState(null, '', target);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** Changes some query parameters of the current page (undefined removes one). */
export function setQuery(changes: Query, replace = true): void {
  const route = parseRoute();
  const query: Query = Object.fromEntries(route.query.entries());
  Object.assign(query, changes);
  navigate(route.parts.map(encodeURIComponent).join('/'), query, replace);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parseRoute);
  useEffect(() => {
    const onChange = () => setRoute(parseRoute());
    window.addEventListener('hashchange', onChange);
    window.addEventListener('popstate', onChange);
    return () => {
      window.removeEventListener('hashchange', onChange);
      window.removeEventListener('popstate', onChange);
    };
  }, []);
  return route;
}

/** `datasets/clouds` -> `#/datasets/clouds`, each segment encoded. */
export function resourceHref(name: string, query?: Query): string {
  return href(name.split('/').map(encodeURIComponent).join('/'), query);
}
