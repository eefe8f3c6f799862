import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { checkUrlHost, guardedLookup, refusedAddressReason, refusedHostNameReason } from './address-guard.ts';
import { AddressRefusedError } from './integration-errors.ts';

describe('refusedAddressReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.10.0.7', 'loopback'],
    ['10.0.0.1', 'RFC 1918'],
    ['172.16.5.4', 'RFC 1918'],
    ['192.168.1.1', 'RFC 1918'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.100.100.200', 'carrier-grade NAT'], // Alibaba Cloud's metadata service
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.192', 'reserved'], // Oracle Cloud's metadata service
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'unique local'],
    ['fd00:ec2::254', 'unique local'], // AWS's IPv6 metadata service
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'RFC 1918'],
    ['::ffff:a9fe:a9fe', 'link-local'], // 169.254.169.254, mapped and written in hex
    ['64:ff9b::a00:1', 'rfc6052'], // NAT64 of 10.0.0.1
    ['2002:a00:1::1', '6to4'],
  ])('refuses %s (%s)', (address, words) => {
    expect(refusedAddressReason(address)).toContain(words);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:93.184.216.34'])('allows the public address %s', (address) => {
    expect(refusedAddressReason(address)).toBeUndefined();
  });
});

describe('refusedHostNameReason', () => {
  it.each(['localhost', 'LOCALHOST.', 'api.localhost', 'metadata.google.internal', 'metadata', 'instance-data'])('refuses the name %s', (name) => {
    expect(refusedHostNameReason(name)).toBeDefined();
  });

  it('allows other names (their addresses are checked at connect time)', () => {
    expect(refusedHostNameReason('api.example.com')).toBeUndefined();
    expect(refusedHostNameReason('localhost.example.com')).toBeUndefined();
  });
});

describe('checkUrlHost', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://localhost:8080/',
    'http://[::1]:3000/',
    'http://[::ffff:127.0.0.1]/',
    'http://2130706433/', // 127.0.0.1 as one number: the URL parser normalizes it
    'http://0x7f.1/',
    'http://metadata.google.internal/computeMetadata/v1/',
  ])('refuses %s before connecting', (url) => {
    expect(() => checkUrlHost(new URL(url))).toThrow(AddressRefusedError);
  });

  it('lets public literals and host names through', () => {
    expect(() => checkUrlHost(new URL('https://93.184.216.34/'))).not.toThrow();
    expect(() => checkUrlHost(new URL('https://api.example.com/v1/'))).not.toThrow();
  });
});

describe('guardedLookup', () => {
  const lookupWith = (addresses: LookupAddress[], checked: boolean, options: { all?: boolean; family?: number } = {}) =>
    new Promise<{ error: Error | null; result: unknown }>((resolve) => {
      guardedLookup(async () => addresses, checked)('api.example.com', options as never, (error, address, family) => {
        resolve({ error, result: options.all ? address : { address, family } });
      });
    });

  it('answers the checked addresses, in both callback forms', async () => {
    const public4 = { address: '93.184.216.34', family: 4 };
    const public6 = { address: '2606:2800:220:1::1', family: 6 };
    expect(await lookupWith([public4, public6], true)).toEqual({ error: null, result: public4 });
    expect(await lookupWith([public4, public6], true, { all: true })).toEqual({ error: null, result: [public4, public6] });
    expect(await lookupWith([public4, public6], true, { family: 6 })).toEqual({ error: null, result: public6 });
  });

  it('refuses a name when any of its addresses is private, naming host and address for the log', async () => {
    const { error } = await lookupWith([{ address: '93.184.216.34', family: 4 }, { address: '10.1.2.3', family: 4 }], true);
    expect(error).toBeInstanceOf(AddressRefusedError);
    expect((error as AddressRefusedError).explanation).toBe(
      'api.example.com resolves to 10.1.2.3, a private network address (RFC 1918); set allowPrivateNetwork: true on the integration if this address is intended');
    expect(error!.message).not.toContain('10.1.2.3');
  });

  it('does not check when the integration allows private networks', async () => {
    expect(await lookupWith([{ address: '10.1.2.3', family: 4 }], false)).toEqual({ error: null, result: { address: '10.1.2.3', family: 4 } });
  });
});
