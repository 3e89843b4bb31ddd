import { describe, expect, it } from 'vitest';
import { SessionCache } from '../../bff/session/cache.ts';

const seal = (id: number, body = 'x'.repeat(200)) => `Fe26.2*${body}*${String(id).padStart(70, '0')}`;

describe('SessionCache', () => {
  it('returns what was stored for exactly the same sealed value', () => {
    const c = new SessionCache<string>(10);
    c.set(seal(1), 'one');
    expect(c.get(seal(1))).toBe('one');
    expect(c.get(seal(2))).toBeUndefined();
  });

  it('never answers for a different value that shares the tail (the key)', () => {
    const c = new SessionCache<string>(10);
    c.set(seal(1, 'a'.repeat(200)), 'victim');
    expect(c.get(seal(1, 'b'.repeat(200)))).toBeUndefined();
    c.delete(seal(1, 'b'.repeat(200)));
    expect(c.get(seal(1, 'a'.repeat(200)))).toBe('victim');
  });

  it('stays bounded, evicting the oldest first', () => {
    const c = new SessionCache<number>(100);
    for (let i = 0; i < 250; i++) c.set(seal(i), i);
    expect(c.size).toBe(100);
    expect(c.get(seal(0))).toBeUndefined();
    expect(c.get(seal(249))).toBe(249);
  });

  it('keeps a session that is in use while newer ones push the old out', () => {
    const c = new SessionCache<number>(100);
    c.set(seal(-1), -1);
    for (let i = 0; i < 1000; i++) {
      c.set(seal(i), i);
      expect(c.get(seal(-1)), `after ${i} insertions`).toBe(-1);
    }
  });

  it('forgets a deleted value', () => {
    const c = new SessionCache<number>(10);
    c.set(seal(1), 1);
    c.delete(seal(1));
    expect(c.get(seal(1))).toBeUndefined();
  });
});
