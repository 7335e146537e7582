import { createHash } from 'node:crypto';

export const digest = (algo: string, b: Buffer | string) => createHash(algo).update(b).digest('hex');

/** A minimal POM for `groupId:artifactId:version` (extra XML goes inside <project>). */
export function pomOf(groupId: string, artifactId: string, version: string, extra = ''): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${groupId}</groupId>
  <artifactId>${artifactId}</artifactId>
  <version>${version}</version>
${extra}
</project>
`,
  );
}

/** The folder of a version in the layout. */
export const versionDir = (groupId: string, artifactId: string, version: string) => `${groupId.replace(/\./g, '/')}/${artifactId}/${version}`;

/** A Gradle module metadata file (https://github.com/gradle/gradle/blob/master/platforms/documentation/docs/src/docs/design/gradle-module-metadata-latest-specification.md), reduced. */
export function gradleModuleOf(groupId: string, artifactId: string, version: string): Buffer {
  return Buffer.from(JSON.stringify({ formatVersion: '1.1', component: { group: groupId, module: artifactId, version }, variants: [] }, null, 2));
}
