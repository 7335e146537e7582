import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';

/**
 * The house rules of DESIGN.md section 3, checked on every test run (in place of
 * dependency-cruiser): what each layer may import, and that files stay small.
 */
const root = resolve(process.cwd());

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): { spec: string; target?: string }[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => {
    const spec = m[1] ?? m[2];
    return { spec, target: spec.startsWith('.') ? relative(root, resolve(dirname(join(root, file)), spec)).split(sep).join('/') : undefined };
  });
}

const production = (f: string) => !/\.(spec|e2e|contract)\.ts$/.test(f);
const VENDOR_SDKS = ['pg', '@electric-sql/pglite', '@aws-sdk/', 'bullmq', 'ioredis', '@eventstore/'];

describe('architecture rules (DESIGN.md section 3)', () => {
  it('libs/domain is pure: it imports only itself', () => {
    const offenders = sources('libs/domain')
      .filter(production)
      .flatMap((f) => importsOf(f).filter((i) => !i.target?.startsWith('libs/domain/')).map((i) => `${f} imports ${i.spec}`));
    expect(offenders).toEqual([]);
  });

  it('formats never import each other, nor the application, adapters or config layers', () => {
    const formats = readdirSync(join(root, 'libs/formats'));
    const offenders = formats.flatMap((format) =>
      sources(`libs/formats/${format}`)
        .filter(production)
        .flatMap((f) =>
          importsOf(f)
            .filter((i) => i.target && !['libs/domain/', 'libs/ports/', 'libs/format-kit/', 'libs/auth/', `libs/formats/${format}/`].some((p) => i.target!.startsWith(p)))
            .map((i) => `${f} imports ${i.spec}`),
        ),
    );
    expect(offenders).toEqual([]);
  });

  it('vendor SDKs are imported only under libs/adapters', () => {
    const offenders = [...sources('libs'), ...sources('apps')]
      .filter((f) => production(f) && !f.startsWith('libs/adapters/'))
      .flatMap((f) => importsOf(f).filter((i) => !i.target && VENDOR_SDKS.some((v) => i.spec === v || i.spec.startsWith(v.endsWith('/') ? v : `${v}/`))).map((i) => `${f} imports ${i.spec}`));
    expect(offenders).toEqual([]);
  });

  it('ports depend on the domain only', () => {
    const offenders = sources('libs/ports')
      .filter(production)
      .flatMap((f) => importsOf(f).filter((i) => i.target && !i.target.startsWith('libs/ports/') && !i.target.startsWith('libs/domain/')).map((i) => `${f} imports ${i.spec}`));
    expect(offenders).toEqual([]);
  });

  it('source files stay small (at most 400 lines)', () => {
    const big = [...sources('libs'), ...sources('apps'), ...sources('test')]
      .map((f) => ({ f, lines: readFileSync(join(root, f), 'utf8').split('\n').length }))
      .filter((x) => x.lines > 400)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(big).toEqual([]);
  });
});
