/** The status lines a lab page shows above its panels: one type and one way to add a line, for every lab. */

export type MessageKind = 'info' | 'warn' | 'error' | 'ok';

export interface Message {
  kind: MessageKind;
  text: string;
  at: number;
  /** Unique within the page: the key the list renders by (two identical lines in one millisecond stay two). */
  id: number;
}

let nextId = 0;

/** The list with one line added, keeping the newest `keep` lines. */
export function withMessage(list: readonly Message[], kind: MessageKind, text: string, keep = 5): Message[] {
  return [...list.slice(-(keep - 1)), { kind, text, at: Date.now(), id: ++nextId }];
}
