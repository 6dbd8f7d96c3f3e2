import dns from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** An address a host name resolves to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (tests inject their own answers). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system's resolver (`getaddrinfo`, so /etc/hosts too), every address in its order. */
export const systemResolver: Resolver = async (hostname) =>
  (await dns.lookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
  }));

export interface AddressPolicy {
  /** Allow every address: loopback, private, link-local, metadata (`WEBHOOK_ALLOW_PRIVATE=1`). */
  allowPrivate: boolean;
  resolve: Resolver;
}

/** A webhook host that may not be called: it does not resolve, or it reaches a non-public address. */
export class AddressRefused extends Error {
  override name = 'AddressRefused';
}

/**
 * Why an address is not a public unicast one (ipaddr.js's name for its range: `loopback`,
 * `private`, `linkLocal`, `uniqueLocal`, `carrierGradeNat`, `unspecified`, `multicast`, …), or
 * undefined for a public address. Only `unicast`, ipaddr.js's name for an address in no special
 * range, passes: the cloud metadata addresses (169.254.169.254, fd00:ec2::254) are link-local and
 * unique-local, and ranges that embed IPv4 addresses (6to4, NAT64, Teredo) are refused whole.
 * IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are judged as the IPv4 address they carry.
 */
export function forbiddenRange(address: string): string | undefined {
  // `process` parses and unwraps an IPv4-mapped IPv6 address.
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : range;
}

/**
 * The address to connect to for `hostname` (a name or an IP literal, IPv6 without brackets): a
 * name is resolved once and every address it has must be public (unless the policy allows private
 * ones), since a client may connect to any of them. The caller connects to the address returned,
 * never resolving the name again, so a DNS answer that changes between the check and the connection
 * (rebinding) cannot reach anything the check refused.
 */
export async function checkedAddress(hostname: string, policy: AddressPolicy): Promise<ResolvedAddress> {
  const literal = ipaddr.isValid(hostname);
  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: hostname, family: ipaddr.parse(hostname).kind() === 'ipv6' ? 6 : 4 }];
  } else {
    try {
      addresses = await policy.resolve(hostname);
    } catch {
      throw new AddressRefused(
        `the host "${hostname}" does not resolve; use a host name with a public address`,
      );
    }
    if (addresses.length === 0) {
      throw new AddressRefused(
        `the host "${hostname}" has no address; use a host name with a public address`,
      );
    }
  }
  if (!policy.allowPrivate) {
    for (const { address } of addresses) {
      const range = forbiddenRange(address);
      if (range) {
        const where = literal ? address : `"${hostname}" resolves to ${address}`;
        throw new AddressRefused(
          `${where}, a ${range} address: webhooks may only call public addresses (WEBHOOK_ALLOW_PRIVATE=1 allows others)`,
        );
      }
    }
  }
  return addresses[0]!;
}
