import { AccessCache } from './access-cache.js';

describe('AccessCache', () => {
  it('serves a loaded value until the TTL passes', async () => {
    const cache = new AccessCache<number>(50);
    let loads = 0;
    const loader = async () => ++loads;
    expect(await cache.load('k', loader)).toBe(1);
    expect(await cache.load('k', loader)).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(await cache.load('k', loader)).toBe(2);
  });

  it('a clear drops everything, and a load that overlapped the clear is not kept', async () => {
    const cache = new AccessCache<string>(60_000);
    let release!: () => void;
    const slow = cache.load('k', () => new Promise<string>((r) => (release = () => r('before the change'))));
    cache.clear();
    release();
    expect(await slow).toBe('before the change');
    expect(cache.get('k')).toBeUndefined();
    expect(await cache.load('k', async () => 'after')).toBe('after');
    cache.clear();
    expect(cache.get('k')).toBeUndefined();
  });

  it('keeps at most maxEntries', async () => {
    const cache = new AccessCache<number>(60_000, 2);
    for (const k of ['a', 'b', 'c']) await cache.load(k, async () => 1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBe(1);
  });
});
