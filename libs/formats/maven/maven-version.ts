/**
 * Maven version ordering: a port of `org.apache.maven.artifact.versioning.ComparableVersion` as
 * shipped in Maven 3.8.7 (https://maven.apache.org/pom.html#Version_Order_Specification; where the
 * page and the code disagree, this follows the code, which is what `mvn` resolves with; see
 * maven-version.spec.ts, whose table was checked against that class on this machine).
 *
 * A version is split into items at `.`, `-` and digit/letter transitions; `-` and a transition
 * open a nested list. Numbers compare numerically, known qualifiers in the order
 * alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp, other
 * qualifiers after them alphabetically; trailing "null" items (0, "") are dropped per list.
 */

type Item = { kind: 'int'; digits: string } | { kind: 'string'; value: string } | { kind: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const SHORTHANDS: Record<string, string> = { a: 'alpha', b: 'beta', m: 'milestone' };

const comparableQualifier = (q: string) => {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
};

/** Java's String.compareTo sign (UTF-16 code units), which is what plain `<` does on JS strings. */
const cmpStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function stringItem(value: string, followedByDigit: boolean): Item {
  const v = followedByDigit && value.length === 1 ? (SHORTHANDS[value] ?? value) : value;
  return { kind: 'string', value: ALIASES[v] ?? v };
}

function parseItem(isDigit: boolean, buf: string): Item {
  return isDigit ? { kind: 'int', digits: buf.replace(/^0+/, '') } : stringItem(buf, false);
}

const isNull = (item: Item) => (item.kind === 'int' ? item.digits === '' : item.kind === 'string' ? item.value === '' : item.items.length === 0);

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i];
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

export function parseMavenVersion(version: string): Item {
  const root: Item[] = [];
  const text = version.toLowerCase();
  let list = root;
  const stack: Item[][] = [root];
  const open = () => {
    const next: Item[] = [];
    list.push({ kind: 'list', items: next });
    list = next;
    stack.push(next);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '.' || c === '-') {
      list.push(i === start ? { kind: 'int', digits: '' } : parseItem(isDigit, text.slice(start, i)));
      start = i + 1;
      if (c === '-') open();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        // 1.0.0.X1 < 1.0.0-X2: treat .X as -X for any string qualifier X
        if (list.length > 0) open();
        list.push(stringItem(text.slice(start, i), true));
        start = i;
        open();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, text.slice(start, i)));
        start = i;
        open();
      }
      isDigit = false;
    }
  }
  if (text.length > start) {
    if (!isDigit && list.length > 0) open();
    list.push(parseItem(isDigit, text.slice(start)));
  }
  while (stack.length) normalize(stack.pop()!);
  return { kind: 'list', items: root };
}

function compareInts(a: string, b: string): number {
  return a.length !== b.length ? Math.sign(a.length - b.length) : cmpStrings(a, b);
}

/** `item.compareTo(other)` of ComparableVersion's Item classes; `null` is a missing item. */
function compareItems(a: Item, b: Item | null): number {
  switch (a.kind) {
    case 'int':
      if (!b) return a.digits === '' ? 0 : 1;
      return b.kind === 'int' ? compareInts(a.digits, b.digits) : 1;
    case 'string':
      if (!b) return cmpStrings(comparableQualifier(a.value), RELEASE_INDEX);
      if (b.kind === 'int' || b.kind === 'list') return -1;
      return cmpStrings(comparableQualifier(a.value), comparableQualifier(b.value));
    case 'list': {
      if (!b) {
        for (const item of a.items) {
          const r = compareItems(item, null);
          if (r !== 0) return r;
        }
        return 0;
      }
      if (b.kind === 'int') return -1;
      if (b.kind === 'string') return 1;
      const n = Math.max(a.items.length, b.items.length);
      for (let i = 0; i < n; i++) {
        const l = a.items[i] ?? null;
        const r = b.items[i] ?? null;
        const result = l === null ? (r === null ? 0 : -compareItems(r, l)) : compareItems(l, r);
        if (result !== 0) return result;
      }
      return 0;
    }
  }
}

/** Negative, zero or positive as `a` sorts before, with or after `b` in Maven's order. */
export function compareMavenVersions(a: string, b: string): number {
  return Math.sign(compareItems(parseMavenVersion(a), parseMavenVersion(b)));
}

/** ComparableVersion's canonical form (`1.0-GA` and `1` both give `1`). */
export function canonicalMavenVersion(version: string): string {
  const render = (items: Item[]): string =>
    items.reduce((out, item) => out + (out ? (item.kind === 'list' ? '-' : '.') : '') + (item.kind === 'list' ? render(item.items) : item.kind === 'int' ? item.digits || '0' : item.value), '');
  return render((parseMavenVersion(version) as { items: Item[] }).items);
}

export const isSnapshotVersion = (version: string) => version.endsWith('-SNAPSHOT');
