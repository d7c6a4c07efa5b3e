/**
 * A flow's tasks as a graph: who produces each artifact, whom each task waits for, a topological
 * order, and the checks that name the culprit (a cycle with its path, a task reading an artifact
 * nobody makes, a dependency on a task that does not exist, two tasks with one name or one output).
 */
import { FlowError } from './errors';

/** What the graph needs to know of a task (FlowTask has more). */
export interface TaskShape {
  name: string;
  /** Artifacts it reads: the outputs of other tasks, or the flow's own inputs. */
  inputs?: readonly string[];
  /** Artifacts it writes; default one artifact named like the task. */
  outputs?: readonly string[];
  /** Tasks it must run after without reading their outputs. */
  after?: readonly string[];
}

export interface FlowGraph {
  /** Task names in a dependency order (ties in declaration order). */
  order: string[];
  /** Tasks each task waits for (producers of its inputs, and its `after`). */
  deps: Map<string, string[]>;
  /** Tasks that wait for each task. */
  dependants: Map<string, string[]>;
  /** The task that writes each artifact. */
  producer: Map<string, string>;
}

export const outputsOf = (t: TaskShape): readonly string[] => t.outputs ?? [t.name];

/** Check the tasks and build their graph; `external` are the artifacts the flow is given. */
export function flowGraph(tasks: readonly TaskShape[], external: readonly string[] = []): FlowGraph {
  const names = new Set<string>();
  for (const t of tasks) {
    if (!t || typeof t.name !== 'string' || t.name.trim() === '') throw new FlowError('bad-task', String(t?.name), 'Every task needs a name.');
    if (names.has(t.name)) throw new FlowError('duplicate-task', t.name, `Two tasks are named "${t.name}".`);
    names.add(t.name);
  }
  const producer = new Map<string, string>();
  for (const t of tasks) {
    for (const o of outputsOf(t)) {
      const other = producer.get(o);
      if (other !== undefined) throw new FlowError('duplicate-output', t.name, `Tasks "${other}" and "${t.name}" both write "${o}".`);
      if (external.includes(o)) throw new FlowError('duplicate-output', t.name, `Task "${t.name}" writes "${o}", which is also an input of the flow.`);
      producer.set(o, t.name);
    }
  }
  const deps = new Map<string, string[]>();
  const dependants = new Map<string, string[]>(tasks.map((t) => [t.name, []]));
  for (const t of tasks) {
    const d: string[] = [];
    for (const i of t.inputs ?? []) {
      const p = producer.get(i);
      if (p === undefined && !external.includes(i)) throw new FlowError('unknown-input', t.name, `Task "${t.name}" reads "${i}", which no task writes and the flow was not given.`);
      if (p === t.name) throw new FlowError('cycle', t.name, `Task "${t.name}" reads its own output "${i}".`, [t.name, t.name]);
      if (p !== undefined && !d.includes(p)) d.push(p);
    }
    for (const a of t.after ?? []) {
      if (!names.has(a)) throw new FlowError('unknown-dependency', t.name, `Task "${t.name}" runs after "${a}", which is not a task of this flow.`);
      if (a === t.name) throw new FlowError('cycle', t.name, `Task "${t.name}" runs after itself.`, [t.name, t.name]);
      if (!d.includes(a)) d.push(a);
    }
    deps.set(t.name, d);
    for (const x of d) dependants.get(x)!.push(t.name);
  }
  return { order: topoOrder(tasks.map((t) => t.name), deps), deps, dependants, producer };
}

/** Kahn's algorithm, picking ready tasks in declaration order; a leftover means a cycle, reported with its path. */
function topoOrder(names: string[], deps: Map<string, string[]>): string[] {
  const left = new Map(names.map((n) => [n, deps.get(n)!.length]));
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < names.length) {
    const next = names.find((n) => !done.has(n) && left.get(n) === 0);
    if (next === undefined) {
      const cycle = findCycle(names.filter((n) => !done.has(n)), deps);
      throw new FlowError('cycle', cycle[0], `The flow has a cycle: ${cycle.join(' → ')}.`, cycle);
    }
    done.add(next);
    order.push(next);
    for (const n of names) if (deps.get(n)!.includes(next)) left.set(n, left.get(n)! - 1);
  }
  return order;
}

/** Walk dependencies from a task left in a cycle until a task repeats; return that loop, closed. */
function findCycle(left: string[], deps: Map<string, string[]>): string[] {
  const inLeft = new Set(left);
  const path: string[] = [];
  let cur = left[0];
  while (!path.includes(cur)) {
    path.push(cur);
    cur = deps.get(cur)!.find((d) => inLeft.has(d))!;
  }
  // path follows "depends on"; reverse it so the message reads in run order (a → b: b runs after a),
  // and start it at the task declared first, so the message does not depend on where the walk began.
  const loop = path.slice(path.indexOf(cur)).reverse();
  const first = loop.reduce((best, n, i) => (left.indexOf(n) < left.indexOf(loop[best]) ? i : best), 0);
  const rotated = [...loop.slice(first), ...loop.slice(0, first)];
  return [...rotated, rotated[0]];
}

/** A task and everything downstream of it. */
export function downstream(g: FlowGraph, from: readonly string[]): Set<string> {
  const out = new Set<string>();
  const stack = [...from];
  while (stack.length) {
    const n = stack.pop()!;
    if (out.has(n)) continue;
    out.add(n);
    stack.push(...(g.dependants.get(n) ?? []));
  }
  return out;
}
