// Load generation the benches share: autocannon against one URL with every response time kept,
// so the percentiles are exact (autocannon's own fixed buckets have no p95), and the CPU seconds
// the server under test (`pid`) spent meanwhile.
import autocannon from 'autocannon';
import { cpuSeconds } from './processes.mjs';
import { percentile } from './results.mjs';

/**
 * `connections` keep-alive connections (no pipelining) for `seconds`, at most `maxRequests` in
 * all. Returns requests, ok (2xx), errors (errors + timeouts + non-2xx), nonOk, seconds, rps (of
 * 2xx), bytesPerResponse (over all requests), bytesPerOk, p50/p95/p99 ms and cpu.
 */
export function loadUrl({ url, headers, connections, seconds, maxRequests, pid }) {
  return new Promise((resolveLoad, reject) => {
    const latencies = [];
    const cpuBefore = cpuSeconds(pid);
    const instance = autocannon({ url, connections, pipelining: 1, duration: seconds, ...(maxRequests ? { maxOverallRequests: maxRequests } : {}), headers }, (error, result) => {
      if (error) return reject(error);
      const ok = result['2xx'];
      resolveLoad({
        requests: result.requests.total,
        ok,
        errors: result.errors + result.timeouts + result.non2xx,
        nonOk: { non2xx: result.non2xx, errors: result.errors },
        seconds: result.duration,
        rps: ok / result.duration,
        bytesPerResponse: result.throughput.total / Math.max(1, result.requests.total),
        bytesPerOk: result.throughput.total / Math.max(1, ok),
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        cpu: cpuSeconds(pid) - cpuBefore,
      });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}
