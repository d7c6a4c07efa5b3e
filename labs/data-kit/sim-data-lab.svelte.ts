/**
 * The state of a lab that runs on two engines: the sim engine (its runners) and the data worker
 * (DuckDB). Stop reaches both; closing the page closes both. The etl, drift and feature-store labs
 * extend it.
 */
import { LabState } from '../kit/state.svelte';
import { openSim, stopTask, type SimClient } from '../kit/engines';
import { openData, type DataClient } from './client';

export abstract class SimDataLab<S extends object> extends LabState<S> {
  readonly data: DataClient = openData();
  readonly sim: SimClient = openSim();

  protected override onStop(): void {
    stopTask(this.sim);
    void this.data.cancel().catch(() => null);
  }

  override dispose(): void {
    this.sim.dispose();
    this.data.dispose();
    super.dispose();
  }
}
