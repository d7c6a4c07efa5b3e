/**
 * The home page's course: the labs grouped into tracks, a suggested path ("Start here") and the
 * learner's progress (exercises passed of total) per lab and per track. An instructor's
 * course.json may define its own tracks and path, or give a plain list of labs (grouped into the
 * default tracks, in the list's order). docs/course.md describes the file.
 */
import type { LabMeta } from '../../labs/types';

export interface TrackSpec {
  /** A stable id (for links and tests); made from the title when a course file leaves it out. */
  id: string;
  title: string;
  /** One line on what the track is for. */
  summary?: string;
  labs: string[];
}

/** course.json: a title and intro for learners, and either tracks or a plain list of labs (or both). */
export interface Course {
  title?: string;
  intro?: string;
  /** The suggested first labs, in order. */
  start?: string[];
  tracks?: TrackSpec[];
  labs?: string[];
}

/** The default tracks. Ids of labs this site does not have yet (scale, LLMs, search, MLOps) are skipped. */
export const DEFAULT_TRACKS: TrackSpec[] = [
  { id: 'training', title: 'Training', summary: 'Train a real model in your browser, watch it learn, and see where it fails.', labs: ['train', 'hpo', 'memory-precision'] },
  { id: 'evaluation', title: 'Evaluation and responsible ML', summary: 'Judge a model beyond accuracy: costs, calibration, slices, fairness, explanations, model cards.', labs: ['metrics', 'calibration', 'error-analysis', 'fairness', 'explain', 'model-card'] },
  { id: 'experimentation', title: 'Experimentation', summary: 'A/B tests and their traps, variance reduction, bandits, interleaving and uplift.', labs: ['ab-test', 'pitfalls', 'cuped', 'bandits', 'interleaving', 'uplift'] },
  { id: 'compression', title: 'Compression and serving', summary: 'Make a model smaller and faster, export it to ONNX and serve it under load.', labs: ['prune', 'quantize', 'distill', 'lowrank', 'tradeoff', 'onnx', 'serving'] },
  { id: 'data', title: 'Data and monitoring', summary: 'Clean and join data, avoid leakage, sample well, serve features and catch drift.', labs: ['etl', 'leakage', 'sampling', 'feature-store', 'drift'] },
  { id: 'scale', title: 'Scale, LLMs, search and MLOps', summary: 'Training across devices, language models, vector search and the pipelines around them.', labs: ['data-parallel', 'zero-fsdp', 'scale-planner', 'federated', 'gpt', 'speculative', 'tokenizer', 'vector-exact', 'vector-ivf', 'vector-hnsw', 'vector-pq', 'vector-hybrid', 'rag', 'tracking', 'pipelines'] },
];

/** A short path through the course for a newcomer: one lab from each of the first tracks. */
export const DEFAULT_START = ['train', 'metrics', 'ab-test', 'quantize', 'drift'];

export interface LabProgressCount { passed: number; total: number }

export interface CourseTrack<L extends LabMeta> {
  id: string;
  title: string;
  summary?: string;
  labs: L[];
  minutes: number;
}

export interface CourseView<L extends LabMeta> {
  title?: string;
  intro?: string;
  start: L[];
  tracks: CourseTrack<L>[];
  warnings: string[];
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'track';
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Read course.json, or say plainly what is wrong with it. */
export function parseCourse(json: unknown): Course {
  const c = json as Record<string, unknown> | null;
  const example = 'e.g. {"labs": ["train"]} or {"tracks": [{"title": "Basics", "labs": ["train"]}]}';
  if (!c || typeof c !== 'object' || Array.isArray(c)) throw new Error(`course.json must be an object with "labs" or "tracks", ${example}.`);
  if (c.labs !== undefined && !strings(c.labs)) throw new Error(`course.json "labs" must be an array of lab ids, ${example}.`);
  if (c.start !== undefined && !strings(c.start)) throw new Error('course.json "start" must be an array of lab ids.');
  let tracks: TrackSpec[] | undefined;
  if (c.tracks !== undefined) {
    if (!Array.isArray(c.tracks)) throw new Error(`course.json "tracks" must be an array, ${example}.`);
    tracks = c.tracks.map((t: Record<string, unknown>, i: number) => {
      if (!t || typeof t.title !== 'string' || !strings(t.labs)) throw new Error(`course.json track ${i + 1} needs a "title" and "labs" (an array of lab ids).`);
      return { id: typeof t.id === 'string' ? t.id : slug(t.title), title: t.title, summary: typeof t.summary === 'string' ? t.summary : undefined, labs: t.labs };
    });
  }
  if (!tracks && !c.labs) throw new Error(`course.json must have "labs" or "tracks", ${example}.`);
  return {
    title: typeof c.title === 'string' ? c.title : undefined,
    intro: typeof c.intro === 'string' ? c.intro : undefined,
    start: c.start as string[] | undefined,
    tracks,
    labs: c.labs as string[] | undefined,
  };
}

/**
 * The course to show. Without a course file: the default tracks over every lab (a lab in no track
 * goes to "More labs"). With tracks: those, as written (unknown ids are reported). With a plain
 * list: only those labs, grouped into the default tracks, each track in the list's order.
 */
export function buildCourse<L extends LabMeta>(all: readonly L[], course?: Course): CourseView<L> {
  const byId = new Map(all.map((l) => [l.id, l]));
  const warnings: string[] = [];
  const known = () => all.map((l) => l.id).join(', ');
  const pick = (ids: readonly string[], report: boolean) => ids.flatMap((id) => {
    const lab = byId.get(id);
    if (!lab && report) warnings.push(`course.json lists a lab "${id}" that this site does not have (known: ${known()}).`);
    return lab ? [lab] : [];
  });
  const track = (t: TrackSpec, labs: L[]): CourseTrack<L> => ({ id: t.id, title: t.title, summary: t.summary, labs, minutes: labs.reduce((s, l) => s + l.minutes, 0) });

  let tracks: CourseTrack<L>[];
  if (course?.tracks) {
    tracks = course.tracks.map((t) => track(t, pick(t.labs, true)));
  } else {
    const chosen = course?.labs ? pick(course.labs, true) : [...all];
    const order = new Map(chosen.map((l, i) => [l.id, i]));
    const placed = new Set<string>();
    tracks = DEFAULT_TRACKS.map((t) => {
      const labs = chosen.filter((l) => t.labs.includes(l.id));
      if (!course?.labs) labs.sort((a, b) => t.labs.indexOf(a.id) - t.labs.indexOf(b.id));
      else labs.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      labs.forEach((l) => placed.add(l.id));
      return track(t, labs);
    });
    const rest = chosen.filter((l) => !placed.has(l.id));
    tracks.push(track({ id: 'more', title: 'More labs', labs: [] }, rest));
    if (course?.labs) {
      // The instructor's list orders the tracks too: by where each track's first lab comes.
      tracks.sort((a, b) => (a.labs.length ? order.get(a.labs[0].id)! : Infinity) - (b.labs.length ? order.get(b.labs[0].id)! : Infinity));
    }
  }
  tracks = tracks.filter((t) => t.labs.length > 0);
  const shown = new Set(tracks.flatMap((t) => t.labs.map((l) => l.id)));
  const start = course?.start ? pick(course.start, true).filter((l) => shown.has(l.id)) : pick(DEFAULT_START, false).filter((l) => shown.has(l.id));
  return { title: course?.title, intro: course?.intro, start, tracks, warnings };
}

/** Exercises passed of total for one lab, from its saved progress. */
export function labProgress(meta: LabMeta, passed: Record<string, { passed?: boolean } | undefined> | undefined): LabProgressCount {
  return { passed: meta.exercises.filter((e) => passed?.[e.id]?.passed).length, total: meta.exercises.length };
}

/** The sum over a track's labs. */
export function trackProgress(labs: readonly LabMeta[], counts: Record<string, LabProgressCount>): LabProgressCount {
  return labs.reduce((s, l) => ({ passed: s.passed + (counts[l.id]?.passed ?? 0), total: s.total + (counts[l.id]?.total ?? l.exercises.length) }), { passed: 0, total: 0 });
}
