import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** skopeo and umoci from Debian (see .ci/run), when installed. */
export const ociClientsAvailable = existsSync('/usr/bin/skopeo') && existsSync('/usr/bin/umoci');
/** buildah from Debian (see .ci/run), when installed. */
export const buildahAvailable = existsSync('/usr/bin/buildah');

/** Runs a client command; its stdout, or an error that carries its stderr. */
export async function oci(command: 'skopeo' | 'umoci' | 'buildah', args: string[], cwd?: string): Promise<string> {
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

/**
 * A Helm chart as Helm pushes it to an OCI registry, written as an OCI layout `<dir>/chart`
 * (tag = chart version) for `skopeo copy`: config `application/vnd.cncf.helm.config.v1+json`
 * (Chart.yaml as JSON), one layer `application/vnd.cncf.helm.chart.content.v1.tar+gzip` (the
 * packaged chart, as `helm package` makes it). Returns the manifest bytes and the chart archive.
 */
export async function writeHelmChartLayout(dir: string, chart: { name: string; version: string; appVersion: string; description: string }): Promise<{ manifest: Buffer; archive: Buffer }> {
  const { mkdir, readFile, writeFile } = await import('node:fs/promises');
  const { createHash } = await import('node:crypto');
  const { join } = await import('node:path');
  const src = join(dir, 'chart-src', chart.name);
  await mkdir(join(src, 'templates'), { recursive: true });
  await writeFile(join(src, 'Chart.yaml'), `apiVersion: v2\nname: ${chart.name}\nversion: ${chart.version}\nappVersion: "${chart.appVersion}"\ndescription: ${chart.description}\ntype: application\n`);
  await writeFile(join(src, 'values.yaml'), 'replicaCount: 1\n');
  await writeFile(join(src, 'templates', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n');
  const tgz = join(dir, `${chart.name}-${chart.version}.tgz`);
  await run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=2020-01-01', '-czf', tgz, '-C', join(dir, 'chart-src'), chart.name]);
  const archive = await readFile(tgz);
  const config = Buffer.from(JSON.stringify({ name: chart.name, version: chart.version, description: chart.description, apiVersion: 'v2', appVersion: chart.appVersion, type: 'application' }));
  const layout = join(dir, 'chart');
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  const put = async (bytes: Buffer) => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    await writeFile(join(layout, 'blobs', 'sha256', hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', ...(await put(config)) },
    layers: [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', ...(await put(archive)) }],
    annotations: { 'org.opencontainers.image.title': chart.name, 'org.opencontainers.image.version': chart.version },
  }));
  const m = await put(manifest);
  await writeFile(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': chart.version } }] }));
  return { manifest, archive };
}
