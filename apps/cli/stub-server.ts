/**
 * Test support for the CLI specs (not used by the CLI itself): a `node:http` server that records
 * every request with its full body and answers from a handler, plus an in-memory CliIo.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { CliIo } from './command.js';
import type { PasswordInput } from './password.js';

export interface StubRequest {
  method: string;
  /** path with the raw (still encoded) segments */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface StubResponse {
  status: number;
  headers?: Record<string, string>;
  /** a Buffer or string is sent as is, anything else as JSON */
  body?: unknown;
}

export type StubHandler = (req: StubRequest) => StubResponse | Promise<StubResponse>;

export interface Stub {
  url: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

/**
 * `early`, when given, sees each request before its body is read and may answer it itself
 * (returning true): for servers that refuse early or break the connection.
 */
export async function startStub(handler: StubHandler, early?: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<Stub> {
  const requests: StubRequest[] = [];
  const server = createServer(async (req, res) => {
    if (early?.(req, res)) return;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://stub');
    const recorded: StubRequest = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
    requests.push(recorded);
    let answer: StubResponse;
    try {
      answer = await handler(recorded);
    } catch (e) {
      answer = { status: 500, body: { title: 'stub failure', detail: String(e) } };
    }
    const raw = answer.body === undefined ? undefined : Buffer.isBuffer(answer.body) || typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    const headers = { ...(raw !== undefined && !Buffer.isBuffer(answer.body) && typeof answer.body !== 'string' ? { 'content-type': answer.status >= 400 ? 'application/problem+json' : 'application/json' } : {}), ...answer.headers };
    res.writeHead(answer.status, headers);
    res.end(raw);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

/**
 * A CliIo that keeps what the CLI writes; stderr is a terminal only when `tty` is set. stdin is
 * `stdin` when given, else an empty pipe (never the test runner's own stdin).
 */
export function captureIo(
  env: Record<string, string | undefined> = {},
  options: { tty?: boolean; signal?: AbortSignal; pollIntervalMs?: number; stdin?: PasswordInput; now?: () => number } = {},
): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s), isTTY: options.tty ?? false, columns: 120 },
    env,
    stdin: options.stdin ?? Readable.from([]),
    signal: options.signal,
    pollIntervalMs: options.pollIntervalMs,
    now: options.now,
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
