/**
 * <prod-lab lab="train"></prod-lab>: one script that embeds any Prodlab lab in another page.
 * The element hosts the lab in an iframe of the Prodlab site it was loaded from (workers and
 * storage must live on that origin), and grows to the lab's height as the lab reports it.
 *
 * Attributes: lab (required), params (settings query, e.g. "model=cnn&epochs=2"), height (initial px).
 * Include it as <script src=".../embed.js"></script> (a classic script, not type="module").
 * Every attribute is checked and bounded: a lab id is letters, digits and dashes; params at most
 * 2,000 characters; heights (the attribute and what the lab reports) between 120 and 20,000 px.
 * A bad value is said in the element itself, never passed on.
 */
// Wrapped in a function so that nothing leaks into the host page's global scope.
(() => {
  // A classic script (no import/export, no import.meta), so hosts need no CORS headers to serve it to
  // other origins: the site's address is read from this script's own src.
  const SCRIPT = document.currentScript as HTMLScriptElement | null;
  const SITE = new URL('./index.html', SCRIPT?.src ?? location.href);
  const MIN_HEIGHT = 120;
  const MAX_HEIGHT = 20_000;
  const DEFAULT_HEIGHT = 900;
  const MAX_PARAMS = 2000;
  const LAB_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

  /** A height in px within bounds, or undefined when the value is not a plain finite number. */
  const bounded = (x: unknown): number | undefined =>
    typeof x === 'number' && Number.isFinite(x) ? Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(x))) : undefined;

  class ProdLabElement extends HTMLElement {
    static observedAttributes = ['lab', 'params', 'height'];
    private frame?: HTMLIFrameElement;
    private onMessage = (e: MessageEvent) => {
      if (!this.frame || e.source !== this.frame.contentWindow || e.origin !== SITE.origin) return;
      const d = e.data as { type?: unknown; height?: unknown } | null;
      if (typeof d !== 'object' || d === null || d.type !== 'prodlab:height') return;
      const h = bounded(d.height);
      if (h !== undefined) this.frame.style.height = `${h}px`;
    };
    private note?: HTMLParagraphElement;

    connectedCallback(): void {
      const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      if (!this.frame) {
        root.innerHTML = '<style>:host{display:block}iframe{width:100%;border:0;display:block}</style>';
        this.frame = document.createElement('iframe');
        this.frame.setAttribute('loading', 'lazy');
        root.appendChild(this.frame);
      }
      window.addEventListener('message', this.onMessage);
      this.render();
    }

    disconnectedCallback(): void {
      window.removeEventListener('message', this.onMessage);
    }

    attributeChangedCallback(): void {
      if (this.frame) this.render();
    }

    /** Say what is wrong with the attributes, in the element (as text), and show no lab. */
    private refuse(why: string): void {
      this.note ??= this.shadowRoot!.appendChild(document.createElement('p'));
      this.note.textContent = `Prodlab embed: ${why}`;
      this.frame!.hidden = true;
      this.frame!.removeAttribute('src');
    }

    private render(): void {
      const lab = (this.getAttribute('lab') ?? '').trim();
      const params = this.getAttribute('params') ?? '';
      if (!LAB_ID.test(lab)) return this.refuse(`the lab attribute must be a lab id such as "train" (letters, digits and dashes); got "${lab.slice(0, 40)}".`);
      if (params.length > MAX_PARAMS) return this.refuse(`the params attribute is ${params.length.toLocaleString('en')} characters long; at most ${MAX_PARAMS.toLocaleString('en')} are accepted.`);
      this.note?.remove();
      this.note = undefined;
      this.frame!.hidden = false;
      const q = new URLSearchParams(params);
      q.set('embed', '1');
      const src = new URL(SITE);
      src.hash = `#/lab/${lab}?${q}`;
      this.frame!.title = `Prodlab: ${lab} lab`;
      const asked = (this.getAttribute('height') ?? '').trim();
      this.frame!.style.height = `${(asked === '' ? undefined : bounded(Number(asked))) ?? DEFAULT_HEIGHT}px`;
      if (this.frame!.src !== src.href) this.frame!.src = src.href;
    }
  }

  if (!customElements.get('prod-lab')) customElements.define('prod-lab', ProdLabElement);
})();
