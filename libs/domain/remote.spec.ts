import { DomainError } from './errors.js';
import { membersFor, normaliseUpstream, normaliseVirtual, type MemberView } from './remote.js';

const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? e.code : String(e);
  }
  return 'accepted';
};

describe('normaliseUpstream', () => {
  it('keeps the URL and defaults; splits the secret off the config', () => {
    const { config, secret } = normaliseUpstream({ url: 'https://registry.npmjs.org/', auth: { type: 'basic', username: 'ci', password: 's3cret' } });
    expect(config).toEqual({ url: 'https://registry.npmjs.org/', allowPrivateNetwork: false, metadataMaxAgeSeconds: 300, notFoundCacheSeconds: 60, auth: { type: 'basic', username: 'ci' } });
    expect(JSON.stringify(config)).not.toContain('s3cret');
    expect(secret).toEqual({ type: 'basic', username: 'ci', password: 's3cret' });
  });

  it('an update without auth keeps the sealed credential; auth null removes it', () => {
    const previous = normaliseUpstream({ url: 'https://pypi.org/', auth: { type: 'bearer', token: 't' } }).config;
    expect(normaliseUpstream({ metadataMaxAgeSeconds: 5 }, previous)).toEqual({ config: { ...previous, metadataMaxAgeSeconds: 5 } });
    const removed = normaliseUpstream({ auth: null }, previous);
    expect(removed.config.auth).toBeUndefined();
    expect(removed.secret).toBeNull();
  });

  it.each([
    [{ url: 'ftp://x.org/' }],
    [{ url: 'not a url' }],
    [{ url: 'https://user:pw@x.org/' }],
    [{ url: 'https://x.org/', allowPrivateNetwork: 'yes' }],
    [{ url: 'https://x.org/', metadataMaxAgeSeconds: -1 }],
    [{ url: 'https://x.org/', auth: { type: 'basic', username: 'u' } }],
    [{ url: 'https://x.org/', auth: { type: 'digest' } }],
  ])('refuses %j', (input) => {
    expect(refused(() => normaliseUpstream(input as never))).toBe('BAD_REQUEST');
  });
});

describe('virtual repositories and the dependency-confusion guard', () => {
  const members: MemberView[] = [
    { name: 'internal', type: 'hosted' },
    { name: 'npmjs', type: 'remote' },
  ];

  it('validates members and publishTo', () => {
    expect(normaliseVirtual({ members: ['internal', 'npmjs'], publishTo: 'internal' })).toEqual({
      members: ['internal', 'npmjs'], publishTo: 'internal', confusionGuard: { enabled: true, remoteAllowed: [] },
    });
    expect(refused(() => normaliseVirtual({ members: [] }))).toBe('BAD_REQUEST');
    expect(refused(() => normaliseVirtual({ members: ['a', 'a'] }))).toBe('BAD_REQUEST');
    expect(refused(() => normaliseVirtual({ members: ['a'], publishTo: 'b' }))).toBe('BAD_REQUEST');
    expect(refused(() => normaliseVirtual({ members: ['all'] }, 'all'))).toBe('BAD_REQUEST');
  });

  it('a name held by a hosted member is never resolved from a remote member', () => {
    const config = normaliseVirtual({ members: ['internal', 'npmjs'] });
    expect(membersFor(config, members, '@acme/billing', new Set(['internal'])).map((m) => m.name)).toEqual(['internal']);
    expect(membersFor(config, members, 'left-pad', new Set()).map((m) => m.name)).toEqual(['internal', 'npmjs']);
  });

  it('the guard can be switched off, or relaxed for name patterns', () => {
    const off = normaliseVirtual({ members: ['internal', 'npmjs'], confusionGuard: { enabled: false } });
    expect(membersFor(off, members, '@acme/billing', new Set(['internal'])).map((m) => m.name)).toEqual(['internal', 'npmjs']);
    const relaxed = normaliseVirtual({ members: ['internal', 'npmjs'], confusionGuard: { remoteAllowed: ['@types/*'] } });
    expect(membersFor(relaxed, members, '@types/node', new Set(['internal'])).map((m) => m.name)).toEqual(['internal', 'npmjs']);
    expect(membersFor(relaxed, members, '@acme/billing', new Set(['internal'])).map((m) => m.name)).toEqual(['internal']);
  });
});
