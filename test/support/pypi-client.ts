import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's twine, and python3 with build, setuptools, wheel and venv: what the real-client PyPI suites need (.ci/run installs them). */
export const pythonToolsAvailable =
  existsSync('/usr/bin/twine') && spawnSync('/usr/bin/python3', ['-c', 'import build, setuptools, wheel, venv, ensurepip'], { stdio: 'ignore' }).status === 0;

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real Python packaging clients in a private corner (CLIENTS.md sections 2 and 3.2): Debian's
 * `python3 -m build` for fixtures, Debian's `twine`, and `pip` in a fresh venv, run as
 * `PIP_CONFIG_FILE=/dev/null pip --isolated --no-cache-dir` so that the machine's pip settings
 * (extra indexes, find-links, constraints) never supply a package.
 */
export interface PythonClients {
  root: string;
  /** builds `{name}-{version}` (sdist + wheel) with Debian's build tools; returns the dist folder */
  build(name: string, version: string, options?: { requiresPython?: string; greeting?: string }): Promise<string>;
  twine(args: string[]): Promise<ToolResult>;
  /** runs the venv's pip with the isolation flags */
  pip(args: string[], cwd?: string): Promise<ToolResult>;
  /** runs the venv's python */
  python(args: string[]): Promise<ToolResult>;
  close(): Promise<void>;
}

/** The environment without what steers pip, twine or npm from outside. */
const cleanEnv = (): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PIP_|TWINE_|npm_|PYTHON|VIRTUAL_ENV)/i.test(k))),
  PIP_CONFIG_FILE: '/dev/null',
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
  PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
  NO_COLOR: '1',
});

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export const must = (what: string, r: ToolResult): string => {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

export async function pythonClients(): Promise<PythonClients> {
  const root = await mkdtemp(join(tmpdir(), 'strata-pypi-'));
  const venv = join(root, 'venv');
  // pyenv's python3 (first on PATH) brings pip; Debian's builds the fixtures
  must('python3 -m venv', await run('python3', ['-m', 'venv', venv], root));
  return {
    root,
    async build(name, version, options = {}) {
      const module = name.replace(/[-.]+/g, '_').toLowerCase();
      const dir = join(root, 'src', `${name}-${version}`);
      await mkdir(join(dir, 'src', module), { recursive: true });
      await writeFile(
        join(dir, 'pyproject.toml'),
        [
          '[build-system]',
          'requires = ["setuptools>=61"]',
          'build-backend = "setuptools.build_meta"',
          '',
          '[project]',
          `name = "${name}"`,
          `version = "${version}"`,
          `description = "${name} for the Strata end-to-end tests"`,
          'readme = "README.md"',
          ...(options.requiresPython ? [`requires-python = "${options.requiresPython}"`] : []),
          '',
        ].join('\n'),
      );
      await writeFile(join(dir, 'README.md'), `# ${name}\n\nSays ${options.greeting ?? version}.\n`);
      await writeFile(join(dir, 'src', module, '__init__.py'), `GREETING = ${JSON.stringify(options.greeting ?? version)}\n`);
      must('python3 -m build', await run('/usr/bin/python3', ['-m', 'build', '--no-isolation', '--outdir', 'dist', '.'], dir));
      return join(dir, 'dist');
    },
    twine: (args) => run('twine', args, root),
    pip: (args, cwd = root) => run(join(venv, 'bin', 'pip'), [...args.slice(0, 1), '--isolated', '--no-cache-dir', ...args.slice(1)], cwd),
    python: (args) => run(join(venv, 'bin', 'python'), args, root),
    close: () => rm(root, { recursive: true, force: true }),
  };
}

/** The files of a dist folder, as paths. */
export async function distFiles(dist: string): Promise<string[]> {
  return (await readdir(dist)).sort().map((f) => join(dist, f));
}
