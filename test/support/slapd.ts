import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// absolute paths: /usr/sbin is often missing from PATH for non-root users
const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const SLAPPASSWD = '/usr/sbin/slappasswd';
const LDAPMODIFY = '/usr/bin/ldapmodify';
const SCHEMA = '/etc/ldap/schema';
const MODULES = '/usr/lib/ldap';

/** Debian's slapd and ldap-utils are installed (`tls` also runs openssl, which Debian ships by default). */
export const slapdAvailable = [SLAPD, SLAPADD, SLAPPASSWD, LDAPMODIFY].every((p) => existsSync(p));

export interface SlapdOptions {
  /** serve TLS: StartTLS on `url` and ldaps on `ldapsUrl`, with a throw-away CA (`caFile`) */
  tls?: boolean;
  /** refuse every operation that does not run over TLS (slapd `security tls=1`) */
  requireTls?: boolean;
}

export interface Slapd {
  /** ldap://127.0.0.1:<port> */
  url: string;
  /** ldaps://127.0.0.1:<port>, with `tls` */
  ldapsUrl?: string;
  /** the CA that signed the server certificate (PEM file), with `tls` */
  caFile?: string;
  /** a second CA that signed nothing here, to test a wrong trust anchor, with `tls` */
  otherCaFile?: string;
  /** the same server on 127.0.0.2, a name its certificate does not carry, with `tls` */
  wrongNameUrl?: string;
  baseDn: string;
  userBase: string;
  groupBase: string;
  /** the read-only service account the registry binds as */
  bindDn: string;
  bindPassword: string;
  /** the rootdn, for changing the directory from tests */
  rootDn: string;
  rootPassword: string;
  /** user name → password of the loaded users */
  passwords: Record<string, string>;
  /** applies LDIF change records with ldapmodify as the rootdn */
  modify(ldif: string): Promise<void>;
  stop(): Promise<void>;
}

const BASE = 'dc=strata,dc=test';
const PASSWORDS: Record<string, string> = {
  alice: 'alice-pw-1',
  bob: 'bob-pw-2',
  carol: 'carol-pw-3',
  // stored with capitals: Strata must lower-case it
  dave: 'dave-pw-4',
  // two entries share this uid: ambiguous, so nobody signs in as it
  twin: 'twin-pw-5',
};

/**
 * Starts a private OpenLDAP server (Debian's slapd, mdb backend) from a generated slapd.conf in a
 * temp folder, on a free port of 127.0.0.1, in the foreground as a child process; loads the test
 * tree with slapadd before it starts. Null when slapd is not installed. Never touches the
 * system's slapd (its config, data or port 389).
 *
 * Tree: ou=people (alice, bob, carol, Dave, twin x2 across ou=people and ou=contractors,ou=people),
 * ou=groups (developers: alice, bob; ops: bob; unmapped: alice), ou=services (cn=strata: the
 * service account, which may read everything but passwords; anonymous may only bind).
 */
export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd | null> {
  if (!slapdAvailable) return null;
  const dir = await mkdtemp(join(tmpdir(), 'strata-slapd-'));
  let child: ChildProcess | undefined;
  try {
    const rootPassword = 'root-secret';
    const bindPassword = 'service-secret';
    const bindDn = `cn=strata,ou=services,${BASE}`;
    const rootDn = `cn=admin,${BASE}`;
    const tls = options.tls ? await makeCertificates(dir) : undefined;
    await mkdir(join(dir, 'db'));
    await writeFile(join(dir, 'slapd.conf'), slapdConf(dir, rootDn, await ssha(rootPassword), tls, options.requireTls ?? false));
    await writeFile(join(dir, 'tree.ldif'), await treeLdif(bindDn, bindPassword));
    await run(SLAPADD, ['-q', '-f', join(dir, 'slapd.conf'), '-l', join(dir, 'tree.ldif')]);

    const port = await freePort();
    const ldapsPort = tls ? await freePort() : undefined;
    const urls = [`ldap://127.0.0.1:${port}/`, ...(ldapsPort ? [`ldaps://127.0.0.1:${ldapsPort}/`, `ldap://127.0.0.2:${port}/`] : [])];
    let output = '';
    // -d 0: stay in the foreground (no fork) so killing the child stops the server
    child = spawn(SLAPD, ['-d', '0', '-f', join(dir, 'slapd.conf'), '-h', urls.join(' ')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    await waitForPort(port, child, () => output);
    if (ldapsPort) await waitForPort(ldapsPort, child, () => output);

    const proc = child;
    let stopped = false;
    return {
      url: `ldap://127.0.0.1:${port}`,
      ldapsUrl: ldapsPort ? `ldaps://127.0.0.1:${ldapsPort}` : undefined,
      caFile: tls?.caFile,
      otherCaFile: tls?.otherCaFile,
      wrongNameUrl: tls ? `ldap://127.0.0.2:${port}` : undefined,
      baseDn: BASE,
      userBase: `ou=people,${BASE}`,
      groupBase: `ou=groups,${BASE}`,
      bindDn,
      bindPassword,
      rootDn,
      rootPassword,
      passwords: { ...PASSWORDS },
      async modify(ldif: string) {
        const file = join(dir, `change-${Date.now()}-${Math.random().toString(36).slice(2)}.ldif`);
        await writeFile(file, ldif);
        const env = { ...process.env, LDAPTLS_CACERT: tls?.caFile ?? '' };
        await run(LDAPMODIFY, ['-x', '-H', `ldap://127.0.0.1:${port}/`, ...(tls ? ['-ZZ'] : []), '-D', rootDn, '-w', rootPassword, '-f', file], { env });
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await kill(proc);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    if (child) await kill(child);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

function slapdConf(dir: string, rootDn: string, rootHash: string, tls: Certificates | undefined, requireTls: boolean): string {
  return `# generated for one test run
include ${SCHEMA}/core.schema
include ${SCHEMA}/cosine.schema
include ${SCHEMA}/inetorgperson.schema
include ${SCHEMA}/nis.schema
pidfile ${join(dir, 'slapd.pid')}
argsfile ${join(dir, 'slapd.args')}
modulepath ${MODULES}
moduleload back_mdb
${tls ? `TLSCACertificateFile ${tls.caFile}\nTLSCertificateFile ${tls.certFile}\nTLSCertificateKeyFile ${tls.keyFile}\n` : ''}${requireTls ? 'security tls=1\n' : ''}
database mdb
maxsize 16777216
suffix "${BASE}"
rootdn "${rootDn}"
rootpw ${rootHash}
directory ${join(dir, 'db')}
index objectClass,uid,member eq
access to attrs=userPassword
  by anonymous auth
  by * none
access to *
  by dn.exact="cn=strata,ou=services,${BASE}" read
  by self read
  by * none
`;
}

async function treeLdif(bindDn: string, bindPassword: string): Promise<string> {
  const people = `ou=people,${BASE}`;
  const person = async (dn: string, uid: string, password: string) =>
    `dn: ${dn}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${uid}\nsn: ${uid}\nmail: ${uid.toLowerCase()}@strata.test\nuserPassword: ${await ssha(password)}\n`;
  const group = (cn: string, members: string[]) => `dn: cn=${cn},ou=groups,${BASE}\nobjectClass: groupOfNames\ncn: ${cn}\n${members.map((m) => `member: uid=${m},${people}\n`).join('')}`;
  const ou = (name: string, parent = BASE) => `dn: ou=${name},${parent}\nobjectClass: organizationalUnit\nou: ${name}\n`;
  return [
    `dn: ${BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: strata\no: Strata tests\n`,
    ou('people'),
    ou('contractors', people),
    ou('groups'),
    ou('services'),
    `dn: ${bindDn}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: strata\nuserPassword: ${await ssha(bindPassword)}\n`,
    await person(`uid=alice,${people}`, 'alice', PASSWORDS.alice!),
    await person(`uid=bob,${people}`, 'bob', PASSWORDS.bob!),
    await person(`uid=carol,${people}`, 'carol', PASSWORDS.carol!),
    await person(`uid=Dave,${people}`, 'Dave', PASSWORDS.dave!),
    await person(`uid=twin,${people}`, 'twin', PASSWORDS.twin!),
    await person(`uid=twin,ou=contractors,${people}`, 'twin', PASSWORDS.twin!),
    group('developers', ['alice', 'bob']),
    group('ops', ['bob']),
    group('unmapped', ['alice']),
  ].join('\n');
}

/** {SSHA} hash as slapd stores it (slappasswd picks the salt). */
async function ssha(password: string): Promise<string> {
  const { stdout } = await run(SLAPPASSWD, ['-h', '{SSHA}', '-s', password]);
  return stdout.trim();
}

interface Certificates {
  caFile: string;
  otherCaFile: string;
  certFile: string;
  keyFile: string;
}

/** A throw-away CA and a server certificate for 127.0.0.1 and localhost, signed by it. */
async function makeCertificates(dir: string): Promise<Certificates> {
  const f = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=Strata test CA']);
  await run('openssl', ['req', '-x509', ...ec, '-keyout', f('other-ca.key'), '-out', f('other-ca.pem'), '-days', '2', '-subj', '/CN=Some other CA']);
  await run('openssl', ['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  await writeFile(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('server.ext')]);
  return { caFile: f('ca.pem'), otherCaFile: f('other-ca.pem'), certFile: f('server.pem'), keyFile: f('server.key') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`slapd exited (${child.exitCode ?? child.signalCode}): ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`slapd did not listen on ${port} within 15 s: ${output()}`);
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
