import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prodlab from './eslint/layers.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '**/*.svelte', 'public/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The folders of src/lib form a DAG, lowest first (eslint/layers.js, docs/architecture.md).
    files: ['src/lib/**/*.ts'],
    plugins: { prodlab },
    rules: { 'prodlab/layers': 'error' },
  },
);
