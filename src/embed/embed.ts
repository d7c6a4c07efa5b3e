/**
 * <prod-lab lab="train"></prod-lab>: one script that embeds any Prodlab lab in another page.
 * The element hosts the lab in an iframe of the Prodlab site it was loaded from (workers and
 * storage must live on that origin), and grows to the lab's height as the lab reports it.
 *
 * Attributes: lab (required), params (settings query, e.g. "model=cnn&epochs=2"), height (initial px).
 * Include it as <script src=".../embed.js"></script> (a classic script, not type="module").
 */
// Wrapped in a function so that nothing leaks into the host page's global scope.
(() => {
  // A classic script (no import/export, no import.meta), so hosts need no CORS headers to serve it to
  // other origins: the site's address is read from this script's own src.
  const SCRIPT = document.currentScript as HTMLScriptElement | null;
  const SITE = new URL('./index.html', SCRIPT?.src ?? location.href);

  class ProdLabElement extends HTMLElement {
    static observedAttributes = ['lab', 'params', 'height'];
    private frame?: HTMLIFrameElement;
    private onMessage = (e: MessageEvent) => {
      if (!this.frame || e.source !== this.frame.contentWindow || e.origin !== SITE.origin) return;
      const d = e.data as { type?: string; height?: number };
      if (d?.type === 'prodlab:height' && typeof d.height === 'number' && d.height > 0) this.frame.style.height = `${Math.ceil(d.height)}px`;
    };

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

    private render(): void {
      const lab = this.getAttribute('lab') ?? '';
      const q = new URLSearchParams(this.getAttribute('params') ?? '');
      q.set('embed', '1');
      const src = new URL(SITE);
      src.hash = `#/lab/${encodeURIComponent(lab)}?${q}`;
      this.frame!.title = `Prodlab: ${lab} lab`;
      this.frame!.style.height = `${Number(this.getAttribute('height')) || 900}px`;
      if (this.frame!.src !== src.href) this.frame!.src = src.href;
    }
  }

  if (!customElements.get('prod-lab')) customElements.define('prod-lab', ProdLabElement);
})();
