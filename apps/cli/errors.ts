/**
 * The CLI's two failure kinds. `main` maps them to exit codes: a UsageError (the command line
 * itself is wrong) exits 2, any other CliError (the server refused, a file is broken, a check
 * failed) exits 1. Nothing else in the CLI sets an exit code for a failure.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string, readonly command?: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

const UNREACHABLE = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'];

/** fetch failed below HTTP: no connection at all, or a connection that broke mid-request. */
export class NetworkError extends CliError {
  /** the server was never reached, so nothing was sent */
  readonly unreachable: boolean;

  constructor(base: string, readonly code: string | undefined, why: string) {
    const unreachable = UNREACHABLE.includes(code ?? '');
    super(unreachable ? `cannot reach Strata at ${base}: ${why}` : `the connection to Strata at ${base} broke: ${why}`);
    this.name = 'NetworkError';
    this.unreachable = unreachable;
  }
}

/** An RFC 9457 problem+json answer from the admin API (or a non-JSON error answer). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly type?: string,
  ) {
    super(describeProblem(status, title, detail));
    this.name = 'ApiError';
  }
}

function describeProblem(status: number, title: string, detail?: string): string {
  const head = `${title} (HTTP ${status})`;
  return detail && detail !== title ? `${head}: ${detail}` : head;
}

export const isAbort = (e: unknown): boolean =>
  e instanceof Error && (e.name === 'AbortError' || (e.cause instanceof Error && e.cause.name === 'AbortError'));
