import { ApiError, CliError, NetworkError, isAbort } from './errors.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  /** sent as JSON */
  json?: unknown;
  /** sent as is; a stream is sent with `duplex: 'half'` */
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
  headers?: Record<string, string>;
  /** statuses to hand back instead of throwing */
  accept?: number[];
}

/** `a b/c%d` -> `a%20b/c%25d`: each segment encoded, the slashes kept. */
export const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

/**
 * The admin API and the generic protocol over global fetch. Every answer outside 2xx becomes an
 * ApiError carrying the server's problem+json title and detail; a server that cannot be reached
 * becomes a CliError naming the address.
 */
export class ApiClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly token: string | undefined,
    private readonly signal?: AbortSignal,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  /** The same server with another credential (or none): `login` signs in anonymously, then uses the session. */
  withToken(token: string | undefined): ApiClient {
    return new ApiClient(this.base, token, this.signal);
  }

  url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.base}${path}${qs ? `?${qs}` : ''}`;
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': 'strata-cli', accept: 'application/json, application/problem+json;q=0.9, */*;q=0.1', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    // Node's fetch streams any async iterable with duplex 'half'; the DOM typing that some
    // dependencies pull in does not know that, hence the cast
    const init: RequestInit & { duplex?: 'half' } = { method, headers, body: body as RequestInit['body'], signal: this.signal };
    if (body && typeof body === 'object' && Symbol.asyncIterator in body) init.duplex = 'half';
    const url = this.url(path, options.query);
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (e) {
      if (isAbort(e)) throw e;
      const cause = (e as Error).cause as { code?: string; message?: string } | undefined;
      throw new NetworkError(this.base, cause?.code, cause?.code ?? cause?.message ?? (e as Error).message);
    }
    if (!response.ok && !options.accept?.includes(response.status)) throw await problemFrom(response);
    return response;
  }

  /** A JSON request whose JSON answer is returned with the response (for its headers). */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<{ body: T; response: Response }> {
    const response = await this.request(method, path, options);
    if (response.status === 204) return { body: undefined as T, response };
    const text = await response.text().catch((e: Error) => {
      if (isAbort(e)) throw e;
      const cause = e.cause as { code?: string } | undefined;
      throw new NetworkError(this.base, cause?.code, `the answer to ${method} ${path} was cut off (${cause?.code ?? e.message})`);
    });
    try {
      return { body: (text ? JSON.parse(text) : undefined) as T, response };
    } catch {
      throw new CliError(`${method} ${path}: the server answered ${response.status} with a body that is not JSON`);
    }
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('GET', path, { query }).then((r) => r.body);
  }
}

/** Reads an error answer: problem+json title/detail when present, the status text otherwise. */
export async function problemFrom(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let problem: { title?: unknown; detail?: unknown; type?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') problem = parsed as typeof problem;
  } catch {
    // not JSON: fall back to the status line and a short piece of the body
  }
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const title = str(problem.title) ?? (response.statusText || `HTTP ${response.status}`);
  const detail = str(problem.detail) ?? (str(problem.title) ? undefined : str(text.trim().slice(0, 200)));
  return new ApiError(response.status, title, detail, str(problem.type));
}
