import { describeWith } from '../support/services.js';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import request from 'supertest';
import { main } from '../../apps/cli/main.js';
import { captureIo } from '../../apps/cli/stub-server.js';
import { freePort } from '../support/npm-client.js';
import { distFiles, must, pythonClients, type PythonClients, pythonToolsAvailable } from '../support/pypi-client.js';
import { startTestRegistry, type TestRegistry } from '../support/test-registry.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The real twine (Debian) and pip (a fresh venv) against a hosted PyPI repository. */
describeWith('twine and python3 build/venv', pythonToolsAvailable, 'twine and pip against a hosted PyPI repository', () => {
  let r: TestRegistry;
  let py: PythonClients;
  let base: string;
  let aliceToken: string;
  let bobToken: string;
  const dists: Record<string, string> = {};
  const admin = () => ({ authorization: `Bearer ${r.token}` });
  const events = async () => (await request(r.http).get('/api/v1/events?limit=1000').set(admin())).body.items as { type: string; data: Record<string, unknown> }[];
  const upload = (files: string[], token = aliceToken, extra: string[] = []) =>
    py.twine(['upload', '--repository-url', `${base}/pypi/py-local/`, '-u', '__token__', '-p', token, '--non-interactive', '--disable-progress-bar', ...extra, ...files]);
  const index = (token = bobToken) => `http://__token__:${token}@${base.slice('http://'.length)}/pypi/py-local/simple/`;
  const pip = (args: string[], cwd?: string) => py.pip([...args.slice(0, 1), '--index-url', index(), ...args.slice(1)], cwd);
  /** the `strata` CLI (its main, in this process) against the running registry */
  async function strata(token: string, argv: string[]) {
    const io = captureIo({ STRATA_URL: base, STRATA_TOKEN: token });
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  }

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    r = await startTestRegistry({ STRATA_BASE_URL: base });
    await new Promise<void>((resolve) => r.http.listen(port, '127.0.0.1', resolve));
    await request(r.http).post('/api/v1/repositories').set(admin()).send({ name: 'py-local', format: 'pypi' }).expect(201);
    for (const username of ['alice', 'bob']) await request(r.http).post('/api/v1/users').set(admin()).send({ username, password: 'correct horse battery staple' }).expect(201);
    await request(r.http).post('/api/v1/repositories/py-local/permissions').set(admin()).send({ subject: { type: 'user', id: 'alice' }, actions: ['write', 'delete'] }).expect(201);
    await request(r.http).post('/api/v1/repositories/py-local/permissions').set(admin()).send({ subject: { type: 'user', id: 'bob' }, actions: ['read'] }).expect(201);
    aliceToken = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'alice-pypi', user: 'alice' }).expect(201)).body.token;
    bobToken = (await request(r.http).post('/api/v1/tokens').set(admin()).send({ name: 'bob-pypi', user: 'bob' }).expect(201)).body.token;
    py = await pythonClients();
    // a non-normalised project name, as people write them
    dists['1.0.0'] = await py.build('Harness_Hello', '1.0.0', { greeting: 'hello 1' });
    dists['1.1.0'] = await py.build('Harness_Hello', '1.1.0', { greeting: 'hello 1.1', requiresPython: '>=3.8' });
  }, 120_000);
  afterAll(async () => {
    await py?.close();
    await r?.stop();
  });

  it('twine check passes on the fixtures, and twine upload sends the sdist and the wheel of each release', async () => {
    const files = [...(await distFiles(dists['1.0.0'])), ...(await distFiles(dists['1.1.0']))];
    must('twine check', await py.twine(['check', ...files]));
    const out = must('twine upload', await upload(files));
    expect(out).toMatch(/Uploading Harness_Hello-1\.0\.0-py3-none-any\.whl/);
    const published = (await events()).filter((e) => e.type === 'ArtifactPublished' || e.type === 'ArtifactFilesAdded').map((e) => `${e.type} ${e.data.name}@${e.data.version}`);
    expect(published.sort()).toEqual(['ArtifactFilesAdded harness-hello@1.0.0', 'ArtifactFilesAdded harness-hello@1.1.0', 'ArtifactPublished harness-hello@1.0.0', 'ArtifactPublished harness-hello@1.1.0']);
  });

  it('twine upload of an existing file fails with PyPI\'s 400 "already exists"; --skip-existing skips it; a read-only user gets 403', async () => {
    const files = await distFiles(dists['1.0.0']);
    const again = await upload(files);
    expect(again.code).not.toBe(0);
    expect(again.stdout + again.stderr).toMatch(/400.*already exists/s);
    const skip = await upload(files, aliceToken, ['--skip-existing']);
    expect(skip.code).toBe(0);
    expect(skip.stdout + skip.stderr).toMatch(/Skipping Harness_Hello-1\.0\.0\.tar\.gz because it appears to already exist/);
    const denied = await upload(files, bobToken);
    expect(denied.code).not.toBe(0);
    expect(denied.stdout + denied.stderr).toMatch(/403/);
  });

  it('pip install in a fresh venv: the newest release, then an exact pin, through the JSON API and PEP 658 metadata', async () => {
    must('pip install', await pip(['install', 'harness-hello']));
    expect(must('python', await py.python(['-c', 'import harness_hello; print(harness_hello.GREETING)'])).trim()).toBe('hello 1.1');
    must('pip install ==1.0.0', await pip(['install', 'Harness.Hello==1.0.0']));
    expect(must('python', await py.python(['-c', 'import harness_hello; print(harness_hello.GREETING)'])).trim()).toBe('hello 1');
    const logs = r.logs();
    // pip asked for JSON (PEP 691) and read the wheels' core metadata files (PEP 658) before the wheels
    expect(logs).toMatch(/"url":"\/pypi\/py-local\/simple\/harness-hello\/"/);
    expect(logs).toMatch(/"url":"\/pypi\/py-local\/files\/harness-hello\/Harness_Hello-1\.1\.0-py3-none-any\.whl\.metadata"/);
  });

  it('pip download fetches the wheel with the hash the index advertises', async () => {
    const dir = join(py.root, 'downloads');
    must('pip download', await pip(['download', '--no-deps', '-d', dir, 'harness-hello==1.0.0']));
    const wheel = (await readdir(dir)).find((f) => f.endsWith('.whl'))!;
    const original = (await distFiles(dists['1.0.0'])).find((f) => f.endsWith('.whl'))!;
    expect(wheel).toBe(basename(original));
    expect(sha256(await readFile(join(dir, wheel)))).toBe(sha256(await readFile(original)));
  });

  it('pip index versions lists the releases; after `strata yank` pip skips the release unless pinned exactly (PEP 592); `strata unyank` takes it back', async () => {
    expect(must('pip index versions', await pip(['index', 'versions', 'harness-hello']))).toMatch(/Available versions: 1\.1\.0, 1\.0\.0/);
    const denied = await strata(bobToken, ['yank', 'py-local', 'harness-hello', '1.1.0']);
    expect(denied).toMatchObject({ code: 1, err: expect.stringMatching(/HTTP 403/) });
    const yanked = await strata(aliceToken, ['yank', 'py-local', 'harness-hello', '1.1.0', '--reason', 'bad greeting']);
    expect(yanked).toMatchObject({ code: 0, out: 'yanked harness-hello 1.1.0 in py-local (bad greeting)\n' });
    must('pip uninstall', await py.pip(['uninstall', '-y', 'harness-hello']));
    must('pip install', await pip(['install', 'harness-hello']));
    expect(must('python', await py.python(['-c', 'import harness_hello; print(harness_hello.GREETING)'])).trim()).toBe('hello 1');
    const pinned = await pip(['install', 'harness-hello==1.1.0']);
    expect(pinned.code).toBe(0);
    expect(pinned.stderr).toMatch(/yanked.*bad greeting/is);
    expect(must('python', await py.python(['-c', 'import harness_hello; print(harness_hello.GREETING)'])).trim()).toBe('hello 1.1');
    expect(await strata(aliceToken, ['unyank', 'py-local', 'harness-hello', '1.1.0', '--json'])).toMatchObject({ code: 0, out: expect.stringContaining('"yanked": false') });
    must('pip uninstall', await py.pip(['uninstall', '-y', 'harness-hello']));
    must('pip install', await pip(['install', 'harness-hello']));
    expect(must('python', await py.python(['-c', 'import harness_hello; print(harness_hello.GREETING)'])).trim()).toBe('hello 1.1');
    expect(await strata(aliceToken, ['yank', 'py-local', 'harness-hello', '9.9'])).toMatchObject({ code: 1, err: expect.stringMatching(/HTTP 404/) });
    const yanks = (await events()).filter((e) => e.type === 'ArtifactYanked').map((e) => [e.data.version, e.data.yanked, e.data.reason]);
    expect(yanks).toEqual([['1.1.0', true, 'bad greeting'], ['1.1.0', false, undefined]]);
  });

  it('pip without credentials is refused (401 challenge)', async () => {
    const anonymous = await py.pip(['install', '--index-url', `${base}/pypi/py-local/simple/`, '--no-input', 'harness-hello==1.0.0']);
    expect(anonymous.code).not.toBe(0);
    // pip keeps an index page's 4xx to its debug log; the server's log shows the challenge
    expect(anonymous.stderr).toMatch(/No matching distribution found for harness-hello==1\.0\.0/);
    const answered = r.logs().split('\n').filter((line) => line.includes('"url":"/pypi/py-local/simple/harness-hello/"') && !line.includes('"authorization"'));
    expect(answered.some((line) => line.includes('"statusCode":401'))).toBe(true);
  });

  it('the simple pages are a projection: rebuilt from the log they come out identical', async () => {
    const verdict = await request(r.http).post('/api/v1/projections/pypi-projects/verify').set(admin()).expect(200);
    expect(verdict.body).toMatchObject({ ok: true, missing: 0, extra: 0, rows: 1 });
  });
});
