// The work bench/npm-bench.mjs measures: generated packages published over the registry API (the
// document `npm publish` sends), packument reads under load (autocannon), and `npm install` runs.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { loadUrl } from './lib/load.mjs';
import { cleanEnv, cpuSeconds, run } from './lib/processes.mjs';

// ---------------------------------------------------------------------------------------------
// packages

const README = (name) => `# ${name}\n\nA generated package for the npm benchmark.\n\n${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(30)}\n`;

async function tarball(files) {
  const pack = tar.pack();
  const chunks = [];
  pack.on('data', (c) => chunks.push(c));
  const done = new Promise((resolveTar, reject) => pack.on('end', resolveTar).on('error', reject));
  for (const [name, content] of Object.entries(files)) {
    await new Promise((resolveEntry, reject) => pack.entry({ name: `package/${name}`, mode: 0o644, mtime: new Date('1985-10-26T08:15:00Z') }, content, (e) => (e ? reject(e) : resolveEntry())));
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** One version of a generated package: its manifest and tarball (the same bytes for every registry). */
export async function generatedVersion(name, version, extra = {}) {
  const manifest = {
    name,
    version,
    description: `${name}, generated for the npm benchmark`,
    main: 'index.js',
    license: 'MIT',
    keywords: ['strata', 'bench', name],
    repository: { type: 'git', url: `git+https://example.invalid/${name}.git` },
    scripts: { test: 'node -e "require(\'./\')"' },
    engines: { node: '>=18' },
    ...extra,
  };
  const bytes = await tarball({
    'package.json': JSON.stringify(manifest, null, 2),
    'index.js': `module.exports = () => ${JSON.stringify(`${name}@${version}`)};\n`,
    'README.md': README(name),
  });
  return { manifest, bytes };
}

/** PUT /<name> with the document libnpmpublish builds; returns the request's milliseconds. */
export async function publish(target, { manifest, bytes }) {
  const { name, version } = manifest;
  const file = `${name}-${version}.tgz`;
  const body = {
    _id: name,
    name,
    description: manifest.description,
    'dist-tags': { latest: version },
    versions: {
      [version]: {
        ...manifest,
        readme: README(name),
        _id: `${name}@${version}`,
        _nodeVersion: process.versions.node,
        _npmVersion: '11.19.1',
        dist: {
          integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
          shasum: createHash('sha1').update(bytes).digest('hex'),
          tarball: `${target.registry}${name}/-/${file}`,
        },
      },
    },
    access: null,
    _attachments: { [file]: { content_type: 'application/octet-stream', data: bytes.toString('base64'), length: bytes.length } },
  };
  const started = process.hrtime.bigint();
  const response = await fetch(`${target.registry}${name}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json', 'npm-command': 'publish' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${target.name}: publishing ${name}@${version}: ${response.status} ${text}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

// ---------------------------------------------------------------------------------------------
// packument reads under load

export const ACCEPT = {
  full: 'application/json',
  abbreviated: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*',
};

/** One GET as npm sends it: checks the status and the number of versions; returns body sizes. */
export async function checkPackument(target, name, kind, versions) {
  const headers = { authorization: `Bearer ${target.token}`, accept: ACCEPT[kind] };
  const plain = await fetch(`${target.registry}${name}`, { headers: { ...headers, 'accept-encoding': 'identity' } });
  const text = await plain.text();
  if (plain.status !== 200) throw new Error(`${target.name}: GET ${name} (${kind}): ${plain.status} ${text.slice(0, 300)}`);
  const doc = JSON.parse(text);
  if (Object.keys(doc.versions ?? {}).length !== versions) throw new Error(`${target.name}: ${name} (${kind}) lists ${Object.keys(doc.versions ?? {}).length} versions, not ${versions}`);
  if (kind === 'abbreviated' && doc.versions[Object.keys(doc.versions)[0]].readme !== undefined) throw new Error(`${target.name}: the abbreviated document carries readmes`);
  return { bytes: Buffer.byteLength(text), contentType: plain.headers.get('content-type'), etag: plain.headers.get('etag') };
}

/** Packument GETs under load (bench/lib/load.mjs) with npm's request headers (gzip accepted). */
export function loadPackument(target, name, kind, { seconds, connections, maxRequests }) {
  const headers = { authorization: `Bearer ${target.token}`, accept: ACCEPT[kind], 'accept-encoding': 'gzip, deflate', 'user-agent': 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false' };
  return loadUrl({ url: `${target.registry}${name}`, headers, connections, seconds, maxRequests, pid: target.pid });
}

// ---------------------------------------------------------------------------------------------
// npm install

/** A consumer project depending on every generated package, with its own npmrc and cache for `target`. */
export function consumer(root, target, dependencies) {
  const dir = join(root, `consumer-${target.name.toLowerCase()}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench-consumer', version: '1.0.0', private: true, dependencies }, null, 2));
  const npmrc = join(root, `npmrc-${target.name.toLowerCase()}`);
  writeFileSync(npmrc, `registry=${target.registry}\n${target.registry.replace(/^https?:/, '')}:_authToken=${target.token}\n`);
  const cache = join(root, `npm-cache-${target.name.toLowerCase()}`);
  const env = cleanEnv({ NPM_CONFIG_USERCONFIG: npmrc, NPM_CONFIG_CACHE: cache, NPM_CONFIG_UPDATE_NOTIFIER: 'false', NPM_CONFIG_FUND: 'false', NPM_CONFIG_AUDIT: 'false', NO_COLOR: '1' });
  return { dir, cache, env, target, expected: Object.keys(dependencies).length };
}

/**
 * One timed install in `project`: node_modules and the npm cache are removed first; `mode` is
 * `install` (package-lock.json removed too: every packument and every tarball is fetched) or `ci`
 * (the lockfile kept: tarballs only). Returns wall seconds and the registry's CPU seconds.
 */
export async function timedInstall(project, mode) {
  rmSync(join(project.dir, 'node_modules'), { recursive: true, force: true });
  rmSync(project.cache, { recursive: true, force: true });
  if (mode === 'install') rmSync(join(project.dir, 'package-lock.json'), { force: true });
  const cpuBefore = cpuSeconds(project.target.pid);
  const args = mode === 'install' ? ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'] : ['ci', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];
  const { seconds } = await run('npm', args, { cwd: project.dir, env: project.env, timeoutMs: 300_000 });
  const cpu = cpuSeconds(project.target.pid) - cpuBefore;
  const installed = readdirSync(join(project.dir, 'node_modules')).filter((n) => n.startsWith('bench-dep-')).length;
  if (installed !== project.expected) throw new Error(`${project.target.name}: npm ${mode} installed ${installed} of ${project.expected} packages`);
  return { seconds, cpu };
}
