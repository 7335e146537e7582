import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { acceptsGzip, GzipCache } from './gzip-cache.js';

describe('gzip for packuments', () => {
  it.each<[string | undefined, boolean]>([
    ['gzip, deflate, br', true],
    ['gzip,deflate', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['*', true],
    ['x-gzip', true],
    ['gzip;q=0', false],
    ['identity', false],
    ['br', false],
    [undefined, false],
  ])('Accept-Encoding %s takes gzip: %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it('compresses each key once and drops the least recently used beyond its budget', async () => {
    const cache = new GzipCache(1024 * 1024);
    let renders = 0;
    const render = (text: string) => () => {
      renders++;
      return text;
    };
    const a = await cache.get('a', render('{"name":"a"}'));
    expect(gunzipSync(a).toString()).toBe('{"name":"a"}');
    expect(await cache.get('a', render('ignored'))).toBe(a);
    expect(renders).toBe(1);

    // incompressible documents of about 250 bytes gzip'd: eleven fit in 2800 bytes, twelve do not
    const small = new GzipCache(2800);
    const keys = Array.from({ length: 12 }, (_, i) => `k${i + 1}`);
    for (const key of keys) await small.get(key, render(randomBytes(200).toString('base64')));
    const before = renders;
    await small.get('k12', render('x'));
    await small.get('k3', render('x'));
    expect(renders).toBe(before);
    await small.get('k1', render('x'));
    expect(renders).toBe(before + 1);
  });
});
