import { SmallBlobCache } from './small-blob-cache.js';

describe('SmallBlobCache', () => {
  it('keeps small blobs within the budget, dropping the least recently used first', () => {
    const cache = new SmallBlobCache(10, 20);
    cache.set('a', Buffer.alloc(8));
    cache.set('b', Buffer.alloc(8));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('c', Buffer.alloc(8));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.size).toBe(16);
  });

  it('never keeps a blob above the entry limit, and forgets a deleted one', () => {
    const cache = new SmallBlobCache(10, 100);
    cache.set('big', Buffer.alloc(11));
    expect(cache.get('big')).toBeUndefined();
    cache.set('x', Buffer.alloc(5));
    cache.delete('x');
    expect(cache.get('x')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
