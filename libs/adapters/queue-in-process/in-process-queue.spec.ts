import { describeQueueContract } from '../../ports/queue.contract.js';
import { InProcessQueue } from './in-process-queue.js';

describeQueueContract('in-process', async () => ({
  // Short backoff keeps the retry tests quick; the failure hook is silenced because one test
  // makes a job give up on purpose.
  queue: new InProcessQueue({ backoffMs: 20, onFailure: () => {} }),
  cleanup: async () => {},
}));

describe('InProcessQueue', () => {
  it('reports a job that gives up', async () => {
    const failures: string[] = [];
    const queue = new InProcessQueue({ backoffMs: 1, onFailure: (name, id) => failures.push(`${name}/${id}`) });
    await queue.process('q', async () => {
      throw new Error('no');
    });
    await queue.enqueue('q', {}, { jobId: 'j', attempts: 2 });
    while (failures.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(failures).toEqual(['q/j']);
    await queue.close();
  });

  it('passes payloads through JSON, like the BullMQ adapter', async () => {
    const queue = new InProcessQueue();
    const seen: unknown[] = [];
    await queue.process('q', async (payload) => {
      seen.push(payload);
    });
    const payload = { at: new Date(0), list: [1] };
    await queue.enqueue('q', payload);
    payload.list.push(2);
    while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(seen).toEqual([{ at: '1970-01-01T00:00:00.000Z', list: [1] }]);
    await queue.close();
  });

  it('refuses a second handler for the same queue name and work after close', async () => {
    const queue = new InProcessQueue();
    await queue.process('q', async () => {});
    await expect(queue.process('q', async () => {})).rejects.toThrow(/already has a handler/);
    await queue.close();
    await expect(queue.enqueue('q', {})).rejects.toThrow(/closed/);
  });

  it('drops delayed jobs on close without keeping the process alive', async () => {
    const queue = new InProcessQueue();
    let ran = false;
    await queue.process('q', async () => {
      ran = true;
    });
    await queue.enqueue('q', {}, { delayMs: 60_000 });
    await queue.close();
    expect(ran).toBe(false);
  });
});
