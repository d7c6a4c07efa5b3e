import { onDestroy, onMount } from 'svelte';

/** What every lab's state offers the page: start its engines, and let them go. */
export interface LabLifecycle {
  init(): Promise<void>;
  dispose(): void;
}

/**
 * Call during a lab page's component setup: starts the lab's state when the page mounts, disposes
 * it (workers, storage) when the page goes, and exposes it as window.__prodlab.lab, the hook the
 * browser tests and the benchmark read the lab's numbers through.
 */
export function runLab(lab: LabLifecycle): void {
  onMount(() => {
    void lab.init();
    (window as unknown as { __prodlab?: object }).__prodlab = { lab };
  });
  onDestroy(() => lab.dispose());
}
