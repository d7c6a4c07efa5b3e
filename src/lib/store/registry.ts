/**
 * How model-registry events travel in export files, shared by the IndexedDB and the memory store.
 * The store keeps the events as they were made and does not interpret them beyond these rules
 * (src/lib/mlops/registry.ts folds them into a registry).
 */
import type { RegistryEventRecord } from './types.ts';

/** The whole history of every model that has a version registered from one of the runs. */
export function relatedRegistry(all: readonly RegistryEventRecord[], runIds: readonly string[]): RegistryEventRecord[] {
  const wanted = new Set(runIds);
  const models = new Set(all.filter((e) => e.kind === 'register' && e.runId !== undefined && wanted.has(e.runId)).map((e) => e.model));
  return all.filter((e) => models.has(e.model));
}

/**
 * Events of a file as they are added here: run ids renamed as the runs were, and a model whose name
 * is taken here renamed "<name> (imported)", then "(imported 2)", ..., so two histories never mix.
 */
export function importedRegistry(events: readonly RegistryEventRecord[], localModels: Iterable<string>, rename: ReadonlyMap<string, string>): RegistryEventRecord[] {
  const taken = new Set(localModels);
  const modelName = new Map<string, string>();
  for (const m of new Set(events.map((e) => e.model))) {
    let name = m;
    for (let k = 1; taken.has(name); k++) name = `${m} (imported${k > 1 ? ` ${k}` : ''})`;
    taken.add(name);
    modelName.set(m, name);
  }
  return events.map((e) => ({ ...e, model: modelName.get(e.model)!, ...(e.runId !== undefined ? { runId: rename.get(e.runId) ?? e.runId } : {}) }));
}
