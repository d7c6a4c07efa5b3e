import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import pkg from './package.json' with { type: 'json' };

const PRECACHE_MAX_BYTES = 8 * 1024 * 1024;

/** Lists every file of the build in precache.json, so the service worker can make the site work offline after one visit. */
function precacheManifest(): Plugin {
  return {
    name: 'prodlab-precache',
    apply: 'build',
    generateBundle(_options, bundle) {
      // Engines over 8 MB (DuckDB-wasm's two bundles, onnxruntime-web's wasm) are not precached: a
      // visitor who never opens a data or serving lab should not download ~100 MB. The service worker
      // caches them on first use instead, so a lab that was opened once works offline.
      const size = (f: string) => {
        const out = bundle[f];
        return out.type === 'asset' ? (typeof out.source === 'string' ? out.source.length : out.source.byteLength) : out.code.length;
      };
      const all = Object.keys(bundle).filter((f) => !f.endsWith('.map') && f !== 'embed.js');
      const files = all.filter((f) => size(f) <= PRECACHE_MAX_BYTES);
      const onUse = all.filter((f) => size(f) > PRECACHE_MAX_BYTES);
      files.push('course.json', 'data/fashion-mnist-subset.parquet');
      this.emitFile({ type: 'asset', fileName: 'precache.json', source: JSON.stringify({ version: pkg.version, files: files.sort(), cachedOnUse: onUse.sort() }) });
    },
  };
}

// base './' makes every URL in dist/ relative, so the site works under any subpath of a plain
// static host. Two entries: the site (index.html) and the one-file custom element (embed.js).
export default defineConfig({
  base: './',
  plugins: [svelte(), precacheManifest()],
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: { index: 'index.html', embed: 'src/embed/embed.ts' },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'embed' ? 'embed.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/lib/**/*.test.ts', 'test/app/**/*.test.ts', 'test/labs/**/*.test.ts', 'test/regression/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
