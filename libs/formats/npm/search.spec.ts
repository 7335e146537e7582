import { parseSearchText, relevance } from './search.js';

describe('npm search text', () => {
  it('splits words and the keywords: and scope: qualifiers; ignores the others', () => {
    expect(parseSearchText('  react  keywords:ui,forms scope:@acme author:bob ')).toEqual({ terms: ['react'], keywords: ['ui', 'forms'], scope: 'acme' });
    expect(parseSearchText('')).toEqual({ terms: [], keywords: [] });
  });

  it('ranks exact names, then prefixes, then names containing every word, then the rest', () => {
    const q = parseSearchText('hello');
    expect(relevance({ name: 'hello' }, q)).toBe(1);
    expect(relevance({ name: '@acme/hello' }, q)).toBe(1);
    expect(relevance({ name: 'hello-world' }, q)).toBe(0.9);
    expect(relevance({ name: 'say-hello' }, q)).toBe(0.8);
    expect(relevance({ name: 'greeter' }, q)).toBe(0.5);
  });
});
