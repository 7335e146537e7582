import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** skopeo and umoci from Debian (see .ci/run), when installed. */
export const ociClientsAvailable = existsSync('/usr/bin/skopeo') && existsSync('/usr/bin/umoci');

/** Runs a client command; its stdout, or an error that carries its stderr. */
export async function oci(command: 'skopeo' | 'umoci', args: string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, timeout: 120_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, REGISTRY_AUTH_FILE: '/dev/null', XDG_RUNTIME_DIR: cwd ?? '/tmp' } });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

/** An OCI layout `<dir>/img` with tag `tag`, one layer holding `files`, built with umoci (rootless, no daemon). */
export async function buildImage(dir: string, tag: string, files: Record<string, string>): Promise<void> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  if (!existsSync(join(dir, 'img'))) await oci('umoci', ['init', '--layout', 'img'], dir);
  await oci('umoci', ['new', '--image', `img:${tag}`], dir);
  await oci('umoci', ['unpack', '--rootless', '--image', `img:${tag}`, `bundle-${tag}`], dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, `bundle-${tag}`, 'rootfs', path, '..'), { recursive: true });
    await writeFile(join(dir, `bundle-${tag}`, 'rootfs', path), content);
  }
  await oci('umoci', ['repack', '--image', `img:${tag}`, `bundle-${tag}`], dir);
}
