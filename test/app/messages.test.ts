import { describe, expect, it } from 'vitest';
import { withMessage, type Message } from '../../src/app/messages';

describe('withMessage', () => {
  it('keeps the newest lines, oldest first, up to the limit', () => {
    let list: Message[] = [];
    for (let i = 1; i <= 7; i++) list = withMessage(list, 'info', `line ${i}`);
    expect(list.map((m) => m.text)).toEqual(['line 3', 'line 4', 'line 5', 'line 6', 'line 7']);
    expect(withMessage(list, 'warn', 'line 8', 6).map((m) => m.text)).toEqual(['line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8']);
  });

  it('gives the same text noted twice in one millisecond two keys, and leaves the old list alone', () => {
    const a = withMessage([], 'error', 'DuckDB crashed');
    const b = withMessage(a, 'error', 'DuckDB crashed');
    expect(b).toHaveLength(2);
    expect(b[0].id).not.toBe(b[1].id);
    expect(a).toHaveLength(1);
    expect(b[1]).toMatchObject({ kind: 'error', text: 'DuckDB crashed' });
  });
});
