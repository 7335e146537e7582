import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The real `mvn` (Debian's Maven 3.8.7 on Java 17) against Strata, following
 * ../shared/CLIENTS.md (Maven): plugins come from the machine's pre-seeded ~/.m2, surefire's
 * `default-test` is bound to phase `none`, credentials are a settings.xml `<server>`.
 *
 * Each client gets its own local repository: a folder whose top-level entries link to those of
 * ~/.m2/repository (the plugins and their dependencies), so fixtures live under a group folder
 * (`strata/`) that exists nowhere else: whatever a build resolves for them came from Strata.
 */
export interface MavenRun {
  code: number;
  out: string;
}

export interface MavenClient {
  work: string;
  localRepo: string;
  /** `mvn -B` (transfers logged) in `cwd` with this client's local repository and the given settings file */
  run(cwd: string, settings: string, args: string[]): Promise<MavenRun>;
  close(): Promise<void>;
}

export const mavenAvailable = existsSync('/usr/bin/mvn') && existsSync(join(homedir(), '.m2', 'repository', 'org', 'apache', 'maven', 'plugins', 'maven-deploy-plugin', '3.1.2'));

export const FIXTURE_GROUP_PREFIX = 'strata';

export async function mavenClient(): Promise<MavenClient> {
  const work = await mkdtemp(join(tmpdir(), 'strata-mvn-'));
  const localRepo = join(work, 'm2');
  await mkdir(localRepo);
  const seed = join(homedir(), '.m2', 'repository');
  for (const entry of await readdir(seed)) if (entry !== FIXTURE_GROUP_PREFIX) await symlink(join(seed, entry), join(localRepo, entry));
  return {
    work,
    localRepo,
    run: (cwd, settings, args) =>
      new Promise((resolve) => {
        execFile('mvn', ['-B', '-s', settings, `-Dmaven.repo.local=${localRepo}`, ...args], { cwd, timeout: 180_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, MAVEN_OPTS: '-Xmx512m' } }, (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, out: `${stdout}${stderr}` });
        });
      }),
    close: () => rm(work, { recursive: true, force: true }),
  };
}

/** settings.xml with a `<server>` for `id`: Basic (any user name, the token as password), a Bearer header, or none. */
export async function writeSettings(path: string, id: string, auth: { basicToken?: string; bearerToken?: string }): Promise<string> {
  const server = auth.basicToken
    ? `<server><id>${id}</id><username>deployer</username><password>${auth.basicToken}</password></server>`
    : auth.bearerToken
      ? `<server><id>${id}</id><configuration><httpHeaders><property><name>Authorization</name><value>Bearer ${auth.bearerToken}</value></property></httpHeaders></configuration></server>`
      : '';
  await writeFile(path, `<settings><servers>${server}</servers></settings>\n`);
  return path;
}

const PLUGINS = `
  <build>
    <plugins>
      <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
      <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
      <plugin><artifactId>maven-jar-plugin</artifactId><version>3.4.1</version></plugin>
      <plugin><artifactId>maven-install-plugin</artifactId><version>3.1.2</version></plugin>
      <plugin><artifactId>maven-deploy-plugin</artifactId><version>3.1.2</version></plugin>
      <plugin>
        <artifactId>maven-surefire-plugin</artifactId><version>3.2.5</version>
        <executions><execution><id>default-test</id><phase>none</phase></execution></executions>
      </plugin>
    </plugins>
  </build>`;

/** A one-class library `groupId:artifactId:version` whose `Greeting.text()` returns `greeting`, deploying to `${repo.url}` as server `id`. */
export async function writeLibrary(dir: string, c: { groupId: string; artifactId: string; version: string; greeting: string; serverId: string }): Promise<string> {
  const pkg = join(dir, 'src', 'main', 'java', 'fixture', c.artifactId.replace(/-/g, '_'));
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'Greeting.java'), `package fixture.${c.artifactId.replace(/-/g, '_')};\npublic class Greeting { public static String text() { return ${JSON.stringify(c.greeting)}; } }\n`);
  await writeFile(
    join(dir, 'pom.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${c.groupId}</groupId>
  <artifactId>${c.artifactId}</artifactId>
  <version>${c.version}</version>
  <name>${c.artifactId} fixture</name>
  <description>A Strata end-to-end fixture</description>
  <licenses><license><name>Apache-2.0</name></license></licenses>
  <properties><maven.compiler.release>17</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
  <distributionManagement>
    <repository><id>${c.serverId}</id><url>\${repo.url}</url></repository>
    <snapshotRepository><id>${c.serverId}</id><url>\${repo.url}</url></snapshotRepository>
  </distributionManagement>${PLUGINS}
</project>
`,
  );
  return dir;
}

/** A consumer project depending on `deps`, resolving from `${repo.url}` as repository `id`; its class uses each dependency's Greeting. */
export async function writeConsumer(dir: string, c: { serverId: string; deps: { groupId: string; artifactId: string; version: string }[] }): Promise<string> {
  const src = join(dir, 'src', 'main', 'java', 'consumer');
  await mkdir(src, { recursive: true });
  const calls = c.deps.map((d) => `fixture.${d.artifactId.replace(/-/g, '_')}.Greeting.text()`).join(' + " " + ');
  await writeFile(join(src, 'Main.java'), `package consumer;\npublic class Main { public static void main(String[] a) { System.out.println(${calls}); } }\n`);
  const deps = c.deps.map((d) => `<dependency><groupId>${d.groupId}</groupId><artifactId>${d.artifactId}</artifactId><version>${d.version}</version></dependency>`).join('\n    ');
  await writeFile(
    join(dir, 'pom.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${FIXTURE_GROUP_PREFIX}.consumer</groupId>
  <artifactId>consumer</artifactId>
  <version>1.0.0</version>
  <properties><maven.compiler.release>17</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
  <repositories>
    <repository><id>${c.serverId}</id><url>\${repo.url}</url><releases><enabled>true</enabled></releases><snapshots><enabled>true</enabled><updatePolicy>always</updatePolicy></snapshots></repository>
  </repositories>
  <dependencies>
    ${deps}
  </dependencies>${PLUGINS}
</project>
`,
  );
  return dir;
}
