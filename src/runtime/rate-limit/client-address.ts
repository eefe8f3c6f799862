import { normalizeIP } from '@fastify/rate-limit';

/**
 * The budget key of a client address: IPv4 as it is, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as the
 * IPv4 address, other IPv6 addresses as their /64 network, since one subscriber usually holds a
 * whole /64 and could otherwise rotate through 2^64 addresses. `ip` is `request.ip`, which honours
 * the server's trustProxy setting (X-Forwarded-For only from a trusted proxy).
 *
 * @example
 * clientAddress('::ffff:10.0.0.7') // '10.0.0.7'
 * clientAddress('2001:db8:1:2:3:4:5:6') // '2001:db8:1:2::'
 */
export function clientAddress(ip: string): string {
  return normalizeIP(ip, 64);
}
