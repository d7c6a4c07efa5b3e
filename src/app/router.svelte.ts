/** Hash routes: #/ (home), #/lab/<id>?<settings>[&embed=1]. Hash routing needs no server rewrites, so any static host works. */
export type Route =
  | { name: 'home' }
  | { name: 'lab'; id: string; query: URLSearchParams; embed: boolean }
  | { name: 'not-found'; path: string };

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#/, '') || '/';
  const [path, q = ''] = h.split('?', 2);
  const query = new URLSearchParams(q);
  if (path === '/' || path === '') return { name: 'home' };
  const m = /^\/lab\/([a-z0-9-]+)\/?$/.exec(path);
  if (m) return { name: 'lab', id: m[1], query, embed: query.get('embed') === '1' };
  return { name: 'not-found', path };
}

export function labHref(id: string, query?: URLSearchParams | string): string {
  const q = query ? String(query) : '';
  return `#/lab/${id}${q ? `?${q}` : ''}`;
}

class Router {
  route = $state<Route>(parseHash(typeof location === 'undefined' ? '' : location.hash));

  constructor() {
    if (typeof window !== 'undefined') window.addEventListener('hashchange', () => (this.route = parseHash(location.hash)));
  }

  /** Rewrite the current lab's settings in the URL without adding a history entry or re-rendering the lab. */
  replaceQuery(query: URLSearchParams): void {
    const r = this.route;
    if (r.name !== 'lab') return;
    if (r.embed) query.set('embed', '1');
    history.replaceState(history.state, '', labHref(r.id, query));
  }
}

export const router = new Router();
