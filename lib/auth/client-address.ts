import { isIPv4, isIPv6 } from 'node:net';

/** What stands for a client whose address cannot be read; they share one bucket. */
export const UNKNOWN_ADDRESS = 'unknown';

/**
 * The client address a request came from, as a throttling key. Route handlers and server actions
 * see no socket, only `X-Forwarded-For`: Next's server fills it from the connection when the
 * request has none, Vercel overwrites it with the client's address, and a reverse proxy (nginx,
 * a load balancer) appends the address it was connected from. So the trustworthy entry is the
 * `proxyHops`-th from the right, never the first one, which any client can write. Served by
 * `next start` with no proxy in front, a client that sends the header picks its own address: the
 * per-address limits then hold only behind a proxy (the per-account ones hold regardless).
 */
export function clientAddress(headers: { get(name: string): string | null }, proxyHops: number): string {
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  const hop = hops[Math.max(0, hops.length - proxyHops)];
  return hop ? addressKey(hop) : UNKNOWN_ADDRESS;
}

/**
 * IPv4 as is (also when mapped into IPv6), IPv6 by its /64 prefix: one subscriber commonly holds
 * a whole /64, and counting its addresses one by one would give it 2^64 fresh starts.
 */
export function addressKey(hop: string): string {
  let address = hop;
  if (address.startsWith('[')) address = address.slice(1, address.indexOf(']'));
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.indexOf(':'));
  address = address.replace(/%.*$/, '').toLowerCase();
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return UNKNOWN_ADDRESS;
  const mapped = /^::ffff:([\d.]+)$/.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  return `${prefix64(address).join(':')}::/64`;
}

/** The first four groups of a valid IPv6 address, without leading zeros. */
function prefix64(address: string): string[] {
  // A trailing dotted quad is the last two groups; only their number matters for the prefix.
  const groupsOf = (part: string) =>
    part
      .split(':')
      .filter(Boolean)
      .flatMap((group) => (isIPv4(group) ? ['0', '0'] : [group.replace(/^0+(?=.)/, '')]));
  const [head = '', tail] = address.split('::');
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  return [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right].slice(0, 4);
}
