/**
 * BullMQ refuses custom ids that look like integers, equal '0' or contain ':' (they end up inside
 * Redis key names), while our callers use digests and sequence numbers as ids. Escaping '%' and ':'
 * and adding a fixed prefix maps every string to an accepted id, one to one, and stays readable
 * when someone looks at Redis.
 */
const PREFIX = 'j.';

export function encodeJobId(id: string): string {
  return PREFIX + id.replace(/%/g, '%25').replace(/:/g, '%3A');
}

/** Ids BullMQ generated itself (no jobId given) come back unchanged. */
export function decodeJobId(id: string): string {
  if (!id.startsWith(PREFIX)) return id;
  return id.slice(PREFIX.length).replace(/%3A/g, ':').replace(/%25/g, '%');
}
