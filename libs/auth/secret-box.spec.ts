import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';

describe('SecretBox: upstream credentials encrypted at rest', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, with the same context; never shows the plain text in the sealed form', () => {
    const sealed = box.seal('hunter2-upstream-password', 'npm-proxy');
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed, 'npm-proxy')).toBe('hunter2-upstream-password');
    expect(box.seal('same', 'r')).not.toBe(box.seal('same', 'r'));
  });

  it('refuses another context, another key and a tampered value', () => {
    const sealed = box.seal('secret', 'repo-a');
    expect(() => box.open(sealed, 'repo-b')).toThrow(/does not open/);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'repo-a')).toThrow(/another key/);
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'repo-a')).toThrow(/does not open/);
  });
});
