import { createHash } from 'node:crypto';
import { SideHashes } from './side-hashes.js';

describe('side hashes (sha1 and md5 on a worker thread)', () => {
  it('gives the same digests as hashing inline, across batch boundaries', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    const side = new SideHashes();
    side.update(data.subarray(0, 2_000_000));
    side.update(data.subarray(2_000_000));
    expect(await side.digests()).toMatchObject({
      sha1: createHash('sha1').update(data).digest('hex'),
      md5: createHash('md5').update(data).digest('hex'),
    });
  });

  it('adds sha512 only when asked (Maven serves .sha512 for every file)', async () => {
    const data = Buffer.alloc(2 * 1024 * 1024 + 3, 9);
    const side = new SideHashes(true);
    side.update(data);
    expect(await side.digests()).toEqual({
      sha1: createHash('sha1').update(data).digest('hex'),
      md5: createHash('md5').update(data).digest('hex'),
      sha512: createHash('sha512').update(data).digest('hex'),
    });
    const plain = new SideHashes();
    plain.update(data);
    expect((await plain.digests()).sha512).toBeUndefined();
  });
});
