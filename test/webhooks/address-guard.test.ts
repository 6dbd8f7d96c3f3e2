import { describe, expect, it } from 'vitest';
import {
  AddressRefused,
  checkedAddress,
  forbiddenRange,
  type ResolvedAddress,
  type Resolver,
} from '../../src/webhooks/address-guard.ts';

/** A resolver answering from a table, counting its look-ups. */
function table(answers: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const addresses = answers[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

describe('forbiddenRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['169.254.0.1', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.255', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    // An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    // Ranges that embed IPv4 addresses are refused whole.
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2002:a00:1::', '6to4'],
  ])('refuses %s (%s)', (address, range) => {
    expect(forbiddenRange(address)).toBe(range);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:93.184.216.34',
  ])('allows the public address %s', (address) => {
    expect(forbiddenRange(address)).toBeUndefined();
  });
});

describe('checkedAddress', () => {
  const policy = (resolve: Resolver, allowPrivate = false) => ({ resolve, allowPrivate });

  it('refuses a host name that resolves to the metadata address', async () => {
    const resolve = table({ 'metadata.example.test': ['169.254.169.254'] });
    await expect(checkedAddress('metadata.example.test', policy(resolve))).rejects.toThrow(
      new AddressRefused(
        '"metadata.example.test" resolves to 169.254.169.254, a linkLocal address: webhooks may only call public addresses (WEBHOOK_ALLOW_PRIVATE=1 allows others)',
      ),
    );
  });

  it('refuses a name when any of its addresses is private, whatever their order', async () => {
    const resolve = table({ 'mixed.example.test': ['93.184.216.34', '10.0.0.7'] });
    await expect(checkedAddress('mixed.example.test', policy(resolve))).rejects.toThrow(
      /resolves to 10\.0\.0\.7, a private/,
    );
  });

  it('refuses IP literals without resolving them', async () => {
    const resolve = table({});
    await expect(checkedAddress('127.0.0.1', policy(resolve))).rejects.toThrow(
      /^127\.0\.0\.1, a loopback address/,
    );
    await expect(checkedAddress('fd00:ec2::254', policy(resolve))).rejects.toThrow(/uniqueLocal/);
    expect(resolve.calls).toEqual([]);
  });

  it('answers the first address of a public name, resolved once', async () => {
    const resolve = table({ 'hooks.example.test': ['93.184.216.34', '2606:4700:4700::1111'] });
    expect(await checkedAddress('hooks.example.test', policy(resolve))).toEqual({
      address: '93.184.216.34',
      family: 4,
    });
    expect(resolve.calls).toEqual(['hooks.example.test']);
  });

  it('allows private addresses when the policy does', async () => {
    const resolve = table({ 'receiver.test': ['127.0.0.1'] });
    expect(await checkedAddress('receiver.test', policy(resolve, true))).toEqual({
      address: '127.0.0.1',
      family: 4,
    });
  });

  it('refuses a name that does not resolve', async () => {
    await expect(checkedAddress('nowhere.test', policy(table({})))).rejects.toThrow(
      'the host "nowhere.test" does not resolve; use a host name with a public address',
    );
  });
});
