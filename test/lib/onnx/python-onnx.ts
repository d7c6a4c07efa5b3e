/**
 * Debian's python3-onnx as an independent judge of exported files. It lives only in the system
 * python (/usr/bin/python3), not in a pyenv python earlier on the PATH. A learner's laptop may lack
 * it: then the checks that need it are skipped with the reason, never failed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** Null when the checker can run; otherwise why not. */
export const onnxCheckerMissing: string | null = (() => {
  const r = spawnSync(PYTHON, ['-c', 'import onnx, onnx.checker; print(onnx.__version__)'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} not found (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} has no onnx module (install Debian's python3-onnx)`;
  return null;
})();

if (onnxCheckerMissing) console.warn(`Skipping the official ONNX checker tests: ${onnxCheckerMissing}.`);

/** Runs onnx.checker.check_model(full_check=True) on the bytes; returns the checker's error text, or '' if it passed. */
export function checkModel(bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'prodlab-onnx-'));
  try {
    const file = join(dir, 'model.onnx');
    writeFileSync(file, bytes);
    const r = spawnSync(PYTHON, ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', file], { encoding: 'utf8' });
    return r.status === 0 ? '' : (r.stderr || `exit ${r.status}`).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
