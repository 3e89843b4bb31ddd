import { describe, expect, it } from 'vitest';
import { entryBytes, SessionCache } from '../../bff/session/cache.ts';

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

describe('SessionCache bounded by bytes', () => {
  const big = (id: number) => seal(id, 'y'.repeat(15_000)); // a 15 KB session split over four cookies
  const small = (id: number) => seal(id, 'x'.repeat(1_000));

  it('holds only as many large sessions as fit in its bytes, whatever the entry bound', () => {
    const c = new SessionCache<number>(1_000_000, 1024 * 1024);
    for (let i = 0; i < 1000; i++) c.set(big(i), i);
    expect(c.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(c.size).toBeLessThan(40); // ~30 KB each
    expect(c.get(big(999))).toBe(999);
    expect(c.get(big(0))).toBeUndefined();
  });

  it('counts an entry once however often it is used or stored again, and gives its bytes back when deleted', () => {
    const c = new SessionCache<number>(100, 10 * 1024 * 1024);
    for (let i = 0; i < 10; i++) c.set(small(i), i);
    const full = c.bytes;
    for (let round = 0; round < 50; round++) for (let i = 0; i < 10; i++) c.get(small(i));
    c.set(small(3), 3);
    expect(c.bytes).toBe(full);
    c.delete(small(3));
    expect(c.bytes).toBe(full - entryBytes(small(3)));
    expect(c.size).toBe(9);
  });

  it('does not store a session larger than the whole bound (it would evict everything else for nothing)', () => {
    const c = new SessionCache<number>(100, 20_000);
    c.set(small(1), 1);
    c.set(big(2), 2);
    expect(c.get(big(2))).toBeUndefined();
    expect(c.get(small(1))).toBe(1);
  });
});
