import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describeQueueContract } from '../../ports/queue.contract.js';
import { describeWith, testRedisUrl } from '../../../test/support/services.js';
import { BullMqQueue } from './bullmq-queue.js';
import { decodeJobId, encodeJobId } from './job-id.js';

// One prefix per run and a counter per adapter: runs sharing the CI Redis never see each other.
const runPrefix = `strata-test-${randomUUID().slice(0, 8)}`;
let instances = 0;

async function deleteKeys(url: string, pattern: string): Promise<number> {
  const redis = new Redis(url);
  try {
    let deleted = 0;
    for await (const keys of redis.scanStream({ match: pattern, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) deleted += await redis.del(...keys);
    }
    return deleted;
  } finally {
    await redis.quit();
  }
}

describe('BullMQ job ids', () => {
  it.each(['0', '42', 'a:b', 'a:b:c', '%3A', ':%', 'plain'])('maps %j to an accepted id and back', (id) => {
    const encoded = encodeJobId(id);
    expect(encoded).not.toContain(':');
    expect(`${parseInt(encoded, 10)}`).not.toBe(encoded);
    expect(decodeJobId(encoded)).toBe(id);
  });

  it('keeps distinct ids distinct', () => {
    expect(encodeJobId('a:b')).not.toBe(encodeJobId('a%3Ab'));
  });
});

describeWith('Redis (TEST_REDIS_URL)', testRedisUrl !== undefined, 'BullMqQueue', () => {
  const url = testRedisUrl!;

  afterAll(async () => {
    // Belt and braces: every test cleans its own prefix, so this should find nothing.
    await deleteKeys(url, `${runPrefix}*`);
  });

  describeQueueContract('bullmq', async () => {
    const prefix = `${runPrefix}-${++instances}`;
    return {
      queue: new BullMqQueue({ url, prefix, onFailure: () => {} }),
      cleanup: async () => {
        await deleteKeys(url, `${prefix}:*`);
      },
    };
  });

  describe('BullMqQueue specifics', () => {
    const prefix = `${runPrefix}-specifics`;
    let queue: BullMqQueue;
    const failures: string[] = [];

    beforeEach(() => {
      queue = new BullMqQueue({ url, prefix, backoffMs: 10, onFailure: (name, id) => failures.push(`${name}/${id}`) });
    });

    afterEach(async () => {
      await queue.close();
      await deleteKeys(url, `${prefix}:*`);
    });

    it('reports a job that gives up, with the caller’s jobId, and keeps no finished job in Redis', async () => {
      const name = `tidy-${randomUUID().slice(0, 8)}`;
      let ok = 0;
      await queue.process<{ fail: boolean }>(name, async ({ fail }) => {
        if (fail) throw new Error('no');
        ok += 1;
      });
      await queue.enqueue(name, { fail: true }, { jobId: 'bad:1', attempts: 2 });
      await queue.enqueue(name, { fail: false }, { jobId: 'good:1' });
      while (failures.length === 0 || ok === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(failures).toEqual([`${name}/bad:1`]);
      // Removal happens right after the handler returns; give BullMQ a moment to finish it.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const redis = new Redis(url);
      try {
        const jobKeys = await redis.exists(
          `${prefix}:${name}:${encodeJobId('bad:1')}`,
          `${prefix}:${name}:${encodeJobId('good:1')}`,
        );
        expect(jobKeys).toBe(0);
      } finally {
        await redis.quit();
      }
    });

    it('refuses a second handler for the same queue name and work after close', async () => {
      await queue.process('q', async () => {});
      await expect(queue.process('q', async () => {})).rejects.toThrow(/already has a handler/);
      await queue.close();
      await expect(queue.enqueue('q', {})).rejects.toThrow(/closed/);
    });
  });
});
