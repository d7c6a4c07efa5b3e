/**
 * Tokenizers for the language-model labs: one token per character, and a small byte-pair encoding
 * (Sennrich et al. 2016; GPT-2's word split) trained on the corpus in the worker. Both map text to
 * integer ids and back exactly.
 */
import { LmError } from './formulas';

export interface Tokenizer {
  readonly vocabSize: number;
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
}

/** One id per distinct character of the training text, in code-point order. */
export class CharTokenizer implements Tokenizer {
  readonly chars: string[];
  private readonly index = new Map<string, number>();

  constructor(text: string) {
    this.chars = [...new Set(Array.from(text))].sort();
    this.chars.forEach((c, i) => this.index.set(c, i));
  }

  get vocabSize(): number {
    return this.chars.length;
  }

  encode(text: string): Int32Array {
    const chars = Array.from(text);
    const out = new Int32Array(chars.length);
    chars.forEach((c, i) => {
      const id = this.index.get(c);
      if (id === undefined) throw new LmError(`The character ${JSON.stringify(c)} is not in the tokenizer's vocabulary.`);
      out[i] = id;
    });
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i]] ?? '';
    return s;
  }
}

/** GPT-2's pre-split, simplified: a word with its leading space, a run of digits, a punctuation mark, a newline. */
const WORD = /\n| ?[\p{L}\p{M}]+| ?\p{N}+| ?[^\s\p{L}\p{M}\p{N}]+|\s+(?!\S)|\s/gu;

export function splitWords(text: string): string[] {
  return text.match(WORD) ?? [];
}

/**
 * Byte-pair encoding over characters: start from the character vocabulary, then repeatedly merge the
 * most frequent adjacent pair inside words (ties: the pair whose ids are smallest) until `merges`
 * merges are made or no pair occurs twice. Token ids: characters first, then one id per merge.
 */
export class BpeTokenizer implements Tokenizer {
  readonly tokens: string[];
  /** merges[k] = [left id, right id]; the merged token's id is base + k. */
  readonly merges: [number, number][] = [];
  private readonly base: CharTokenizer;
  private readonly rank = new Map<string, number>();
  private readonly cache = new Map<string, number[]>();

  constructor(text: string, merges: number) {
    this.base = new CharTokenizer(text);
    this.tokens = [...this.base.chars];
    const counts = new Map<string, number>();
    for (const w of splitWords(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const words = [...counts].map(([w, n]) => ({ ids: Array.from(this.base.encode(w)), n }));
    for (let k = 0; k < merges; k++) {
      const pairs = new Map<number, number>();
      const V = 1 << 16;
      for (const { ids, n } of words) for (let i = 0; i + 1 < ids.length; i++) {
        const key = ids[i] * V + ids[i + 1];
        pairs.set(key, (pairs.get(key) ?? 0) + n);
      }
      let best = -1, bestN = 1;
      for (const [key, n] of pairs) if (n > bestN || (n === bestN && best >= 0 && key < best)) { best = key; bestN = n; }
      if (best < 0) break;
      const a = Math.floor(best / V), b = best % V, id = this.tokens.length;
      this.merges.push([a, b]);
      this.rank.set(`${a},${b}`, k);
      this.tokens.push(this.tokens[a] + this.tokens[b]);
      for (const w of words) w.ids = mergePair(w.ids, a, b, id);
    }
  }

  get vocabSize(): number {
    return this.tokens.length;
  }

  private encodeWord(w: string): number[] {
    let ids = this.cache.get(w);
    if (ids) return ids;
    ids = Array.from(this.base.encode(w));
    for (;;) {
      let best = -1, at = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.rank.get(`${ids[i]},${ids[i + 1]}`);
        if (r !== undefined && (best < 0 || r < best)) { best = r; at = i; }
      }
      if (at < 0) break;
      const [a, b] = this.merges[best];
      ids = mergePair(ids, a, b, this.base.vocabSize + best);
    }
    this.cache.set(w, ids);
    return ids;
  }

  encode(text: string): Int32Array {
    const out: number[] = [];
    for (const w of splitWords(text)) for (const id of this.encodeWord(w)) out.push(id);
    return Int32Array.from(out);
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += this.tokens[ids[i]] ?? '';
    return s;
  }
}

function mergePair(ids: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) { out.push(id); i++; } else out.push(ids[i]);
  }
  return out;
}

/** Mean characters per token of `text` under `tok` (1 for the character tokenizer). */
export function charsPerToken(tok: Tokenizer, text: string): number {
  return Array.from(text).length / Math.max(1, tok.encode(text).length);
}
