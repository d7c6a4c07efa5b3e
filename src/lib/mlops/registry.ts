/**
 * A model registry in the shape MLflow moved to: registered models hold numbered versions, each made
 * from a run; aliases ("champion", "challenger", any name) point at one version each and move between
 * versions; a version can be archived, and a deployment records where a version went to serve.
 * Nothing is overwritten: the registry is the fold of an append-only list of events, so its full
 * history (who moved which alias from which version to which, when and why) is always there, and
 * the events are what is stored (IndexedDB store 'registry') and exported.
 */
import { fail } from './errors';

// A type, not an interface: so events are assignable to the store's RegistryEventRecord (index signature).
type Base = {
  model: string;
  /** Clock time (ms since the epoch). */
  at: number;
  /** Who did it: "you", "pipeline", "continuous-training"… */
  actor: string;
  /** Why, in the actor's words. */
  note?: string;
};

export type RegistryEvent =
  | (Base & { kind: 'register'; version: number; runId: string; dataHash?: string; lab?: string })
  | (Base & { kind: 'set-alias'; alias: string; version: number; previous?: number })
  | (Base & { kind: 'remove-alias'; alias: string; previous: number })
  | (Base & { kind: 'archive'; version: number })
  | (Base & { kind: 'deploy'; version: number; target: string; runId?: string });

export type RegistryEventKind = RegistryEvent['kind'];

export interface ModelVersion {
  model: string;
  version: number;
  runId: string;
  dataHash?: string;
  lab?: string;
  registeredAt: number;
  registeredBy: string;
  archived: boolean;
  /** Aliases pointing here now. */
  aliases: string[];
  /** Where it was deployed: target and the serving run, in order. */
  deployments: { target: string; at: number; runId?: string }[];
}

export interface RegisteredModel {
  name: string;
  versions: ModelVersion[];
  aliases: Record<string, number>;
}

const ALIAS = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
/** MLflow refuses these as aliases: they read as versions or as "latest". */
const RESERVED = /^(v\d+|version\d+|latest)$/i;

export function checkAlias(alias: string): void {
  if (typeof alias !== 'string' || !ALIAS.test(alias)) fail('alias', `Alias "${alias}" must start with a letter and hold only letters, digits, _ and - (at most 63).`);
  if (RESERVED.test(alias)) fail('alias', `Alias "${alias}" is reserved: it would read as a version number or as "latest".`);
}

function checkName(model: string): void {
  if (typeof model !== 'string' || model.trim() === '' || model.length > 100) fail('model', `Model name "${model}" must be 1 to 100 characters.`);
}

export class ModelRegistry {
  private readonly log: RegistryEvent[] = [];
  private readonly models = new Map<string, RegisteredModel>();
  private readonly lastAt = new Map<string, number>();

  /** A registry replayed from stored events (oldest first). Throws MlopsInputError at the first event that does not apply. */
  constructor(events: readonly RegistryEvent[] = []) {
    for (const e of events) this.apply(e);
  }

  /** Every event, oldest first (what to store). */
  get events(): readonly RegistryEvent[] {
    return this.log;
  }

  modelNames(): string[] {
    return [...this.models.keys()].sort();
  }

  model(name: string): RegisteredModel | undefined {
    const m = this.models.get(name);
    return m && structuredClone(m);
  }

  /** A version by number or alias; undefined when there is none. */
  resolve(model: string, ref: number | string): ModelVersion | undefined {
    const m = this.models.get(model);
    if (!m) return undefined;
    const v = typeof ref === 'number' ? ref : m.aliases[ref];
    const found = m.versions.find((x) => x.version === v);
    return found && structuredClone(found);
  }

  /** The history: every event of one model (or of all), oldest first. */
  history(model?: string): RegistryEvent[] {
    return this.log.filter((e) => model === undefined || e.model === model);
  }

  /** Register a new version of `model` (created on first use) from run `runId`; returns its event. */
  register(model: string, runId: string, o: { actor: string; at: number; note?: string; dataHash?: string; lab?: string }): RegistryEvent {
    const version = (this.models.get(model)?.versions.length ?? 0) + 1;
    return this.apply({ kind: 'register', model, version, runId, ...o });
  }

  /** Point `alias` at `version`, moving it if it pointed elsewhere (the event keeps where it was). */
  setAlias(model: string, alias: string, version: number, o: { actor: string; at: number; note?: string }): RegistryEvent {
    const previous = this.models.get(model)?.aliases[alias];
    return this.apply({ kind: 'set-alias', model, alias, version, ...(previous === undefined ? {} : { previous }), ...o });
  }

  removeAlias(model: string, alias: string, o: { actor: string; at: number; note?: string }): RegistryEvent {
    const previous = this.models.get(model)?.aliases[alias];
    if (previous === undefined) fail('alias', `Model "${model}" has no alias "${alias}".`);
    return this.apply({ kind: 'remove-alias', model, alias, previous, ...o });
  }

  archive(model: string, version: number, o: { actor: string; at: number; note?: string }): RegistryEvent {
    return this.apply({ kind: 'archive', model, version, ...o });
  }

  deploy(model: string, version: number, target: string, o: { actor: string; at: number; note?: string; runId?: string }): RegistryEvent {
    return this.apply({ kind: 'deploy', model, version, target, ...o });
  }

  /** Check an event against the registry as it stands and apply it. */
  apply(e: RegistryEvent): RegistryEvent {
    checkName(e.model);
    if (typeof e.actor !== 'string' || e.actor.trim() === '') fail('actor', 'Every registry change needs an actor (who did it).');
    if (!Number.isFinite(e.at)) fail('at', `The time of a registry change must be a number; it is ${e.at}.`);
    // Time order per model (an imported model's history is older than the local ones, and that is fine).
    const last = this.lastAt.get(e.model);
    if (last !== undefined && e.at < last) fail('at', `Changes to "${e.model}" are kept in time order: ${new Date(e.at).toISOString()} is before its last change (${new Date(last).toISOString()}).`);
    let m = this.models.get(e.model);
    const version = (v: number) => {
      const found = m?.versions.find((x) => x.version === v);
      if (!found) fail('version', `Model "${e.model}" has no version ${v}.`);
      return found;
    };
    switch (e.kind) {
      case 'register': {
        if (typeof e.runId !== 'string' || e.runId === '') fail('runId', 'A model version needs the id of the run it came from.');
        const expected = (m?.versions.length ?? 0) + 1;
        if (e.version !== expected) fail('version', `The next version of "${e.model}" is ${expected}, not ${e.version}.`);
        if (!m) this.models.set(e.model, (m = { name: e.model, versions: [], aliases: {} }));
        m.versions.push({
          model: e.model, version: e.version, runId: e.runId, ...(e.dataHash ? { dataHash: e.dataHash } : {}), ...(e.lab ? { lab: e.lab } : {}),
          registeredAt: e.at, registeredBy: e.actor, archived: false, aliases: [], deployments: [],
        });
        break;
      }
      case 'set-alias': {
        checkAlias(e.alias);
        const v = version(e.version);
        if (v.archived) fail('version', `Version ${e.version} of "${e.model}" is archived; an alias cannot point at it.`);
        const prev = m!.aliases[e.alias];
        if (prev !== undefined) version(prev).aliases = version(prev).aliases.filter((a) => a !== e.alias);
        m!.aliases[e.alias] = e.version;
        v.aliases.push(e.alias);
        break;
      }
      case 'remove-alias': {
        const prev = m?.aliases[e.alias];
        if (prev === undefined) fail('alias', `Model "${e.model}" has no alias "${e.alias}".`);
        version(prev).aliases = version(prev).aliases.filter((a) => a !== e.alias);
        delete m!.aliases[e.alias];
        break;
      }
      case 'archive': {
        const v = version(e.version);
        if (v.aliases.length) fail('version', `Version ${e.version} of "${e.model}" is still ${v.aliases.map((a) => `"${a}"`).join(' and ')}; move the alias first.`);
        v.archived = true;
        break;
      }
      case 'deploy': {
        const v = version(e.version);
        if (typeof e.target !== 'string' || e.target === '') fail('target', 'A deployment needs a target (where the model serves).');
        v.deployments.push({ target: e.target, at: e.at, ...(e.runId ? { runId: e.runId } : {}) });
        break;
      }
      default:
        fail('kind', `Unknown registry event ${JSON.stringify((e as { kind: unknown }).kind)}.`);
    }
    const stored = structuredClone(e);
    this.log.push(stored);
    this.lastAt.set(e.model, e.at);
    return stored;
  }
}

/** One line a learner reads for an event: "you moved champion from v2 to v3 (passes every gate)". */
export function describeEvent(e: RegistryEvent): string {
  const why = e.note ? ` (${e.note})` : '';
  switch (e.kind) {
    case 'register': return `${e.actor} registered ${e.model} v${e.version} from run ${e.runId}${why}`;
    case 'set-alias': return e.previous === undefined
      ? `${e.actor} set ${e.alias} of ${e.model} to v${e.version}${why}`
      : `${e.actor} moved ${e.alias} of ${e.model} from v${e.previous} to v${e.version}${why}`;
    case 'remove-alias': return `${e.actor} removed ${e.alias} of ${e.model} (was v${e.previous})${why}`;
    case 'archive': return `${e.actor} archived ${e.model} v${e.version}${why}`;
    case 'deploy': return `${e.actor} deployed ${e.model} v${e.version} to ${e.target}${why}`;
  }
}
