import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AddressRefusedError } from './integration-errors.ts';

/**
 * The SSRF guard of integration calls: only public unicast addresses may be called unless the
 * integration says `allowPrivateNetwork: true`. Literal IPs are checked before connecting; host
 * names are resolved (every address) and checked inside the connection's own DNS lookup
 * ({@link guardedLookup}), so the socket connects to exactly the addresses that passed: a DNS
 * answer that changes between a check and the connect (rebinding) cannot slip through.
 */

/** Host names of cloud metadata services (their addresses, 169.254.169.254 and fd00:ec2::254, are refused by range too). */
export const METADATA_HOST_NAMES: ReadonlySet<string> = new Set([
  'metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal',
]);

/** Plain words for the ranges of ipaddr.js that are refused; any range but `unicast` is. */
const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private network address (RFC 1918)',
  linkLocal: 'a link-local address (cloud metadata services live there)',
  carrierGradeNat: 'a carrier-grade NAT address (RFC 6598)',
  unspecified: 'an unspecified address (0.0.0.0/8, ::)',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
  uniqueLocal: 'a unique local IPv6 address (fc00::/7)',
};

/** Resolves a host name to all its addresses (default: the system resolver, as `dns.lookup`). */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

/** The system resolver: `dns.lookup` with every address, in the resolver's order. */
export const systemResolver: HostResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/**
 * Why calling `address` (an IP literal) is refused, in plain words, or undefined when it is a
 * public unicast address. IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) are judged as the IPv4
 * address they carry; IPv6 transition ranges (NAT64, 6to4, Teredo) are refused since they can
 * carry a private IPv4 address.
 *
 * @example
 * refusedAddressReason('169.254.169.254') // 'a link-local address (cloud metadata services live there)'
 * refusedAddressReason('93.184.216.34')   // undefined
 */
export function refusedAddressReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!isIP(bare)) return 'not an IP address';
  const range: string = ipaddr.process(bare).range();
  if (range === 'unicast') return undefined;
  return RANGE_WORDS[range] ?? `a special-purpose address (${range})`;
}

/** Why calling the host name `hostname` is refused before any lookup (loopback and metadata names), or undefined. */
export function refusedHostNameReason(hostname: string): string | undefined {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return 'a loopback name';
  if (METADATA_HOST_NAMES.has(name)) return 'a cloud metadata service name';
  return undefined;
}

/**
 * Checks the host of `url` before connecting: refuses loopback and metadata names and IP literals
 * outside public unicast space. Host names pass here; their addresses are checked at connect time
 * by {@link guardedLookup}.
 *
 * @throws AddressRefusedError
 */
export function checkUrlHost(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const reason = refusedAddressReason(host);
    if (reason) throw new AddressRefusedError(host, host, reason);
    return;
  }
  const reason = refusedHostNameReason(host);
  if (reason) throw new AddressRefusedError(host, undefined, reason);
}

/**
 * A `lookup` for `net.connect` (undici's `connect.lookup`): resolves with `resolve` and, when
 * `checked`, fails with AddressRefusedError if any address is not public. The socket then connects
 * to the addresses returned here and nowhere else, which pins the connection to what was checked.
 */
export function guardedLookup(resolve: HostResolver, checked: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const answer = async (): Promise<LookupAddress[]> => {
      const nameReason = checked ? refusedHostNameReason(hostname) : undefined;
      if (nameReason) throw new AddressRefusedError(hostname, undefined, nameReason);
      const all = await resolve(hostname);
      for (const { address } of checked ? all : []) {
        const reason = refusedAddressReason(address);
        if (reason) throw new AddressRefusedError(hostname, address, reason);
      }
      const family = options.family === 4 || options.family === 6 ? options.family : undefined;
      const usable = family ? all.filter((a) => a.family === family) : all;
      if (!usable.length) throw Object.assign(new Error(`${hostname} has no IPv${family ?? ''} address`), { code: 'ENOTFOUND' });
      return usable;
    };
    answer().then(
      (addresses) => {
        if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
