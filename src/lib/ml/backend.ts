/**
 * One backend choice for every tfjs service: the app's chooser (runtime/choose.ts) on what the
 * device reports, then start that backend; if it cannot start (a wasm binary that did not load, a
 * GPU that refused a device), the cpu backend runs instead and the reason says so. The training
 * lab's 'auto' probes first (TrainService.decide); the other labs decide from the report alone.
 */
import { chooseBackend, type BackendDecision, type Capabilities } from '../runtime/choose';
import { detectCapabilities, useBackend } from '../runtime/engine';
import type { BackendChoice } from './config';

let reported: Promise<Capabilities> | undefined;

/** Choose (see chooseBackend), start it, and fall back to cpu when it fails to start. */
export async function startBackend(choice: BackendChoice = 'auto', caps?: Capabilities): Promise<BackendDecision> {
  const decision = chooseBackend(choice, caps ?? (await (reported ??= detectCapabilities())));
  try {
    await useBackend(decision.backend);
    return decision;
  } catch (e) {
    if (decision.backend === 'cpu') throw e;
    await useBackend('cpu');
    return { ...decision, backend: 'cpu', reason: `${decision.reason} It failed to start (${(e as Error).message}), so the cpu backend runs instead.` };
  }
}
