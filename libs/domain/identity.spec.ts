import { grantCovers, grantsAllow, patternMatches, userIdFromExternal } from './identity.js';

describe('permission rules', () => {
  it.each([
    ['@team/*', '@team/app', true],
    ['@team/*', '@other/app', false],
    ['com.example.*', 'com.example.lib', true],
    ['com.example.*', 'com.examplex', false],
    ['com.example.*', 'comXexample.lib', false],
    ['exact', 'exact', true],
    ['a*b', 'a/x/b', true],
  ])('pattern %s matches %s: %s', (pattern, name, expected) => {
    expect(patternMatches(pattern, name)).toBe(expected);
  });

  it('write and delete imply read; admin implies all; read implies nothing else', () => {
    expect(grantCovers(['write'], 'read')).toBe(true);
    expect(grantCovers(['delete'], 'read')).toBe(true);
    expect(grantCovers(['admin'], 'delete')).toBe(true);
    expect(grantCovers(['read'], 'write')).toBe(false);
    expect(grantCovers(['write'], 'delete')).toBe(false);
  });

  it('applies repository scope, the global scope and name patterns', () => {
    const grants = [
      { repository: 'libs', actions: ['write' as const] },
      { repository: 'npm', actions: ['write' as const], pattern: '@team/*' },
      { repository: '*', actions: ['read' as const] },
    ];
    expect(grantsAllow(grants, 'libs', 'write', 'x')).toBe(true);
    expect(grantsAllow(grants, 'other', 'read')).toBe(true);
    expect(grantsAllow(grants, 'other', 'write')).toBe(false);
    expect(grantsAllow(grants, 'npm', 'write', '@team/app')).toBe(true);
    expect(grantsAllow(grants, 'npm', 'write', '@evil/app')).toBe(false);
    expect(grantsAllow(grants, 'npm', 'write')).toBe(false);
  });

  it('normalises external user names and refuses unusable ones', () => {
    expect(userIdFromExternal(' Alice@Example.com ')).toBe('alice@example.com');
    expect(() => userIdFromExternal('bad name')).toThrow();
  });
});
