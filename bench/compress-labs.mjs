// The quantization and distillation labs' accuracy figures (BENCHMARKS.md, "Quantization and
// distillation"): `node bench/compress-labs.mjs` prints them as JSON. Node only, tfjs-wasm, ~5 min.
import { runnerImport } from 'vite';

const root = new URL('..', import.meta.url).pathname;
const { figures } = (await runnerImport('/bench/compress-labs-core.ts', { root, configFile: false, logLevel: 'error' })).module;
console.log(JSON.stringify(figures, null, 1));
