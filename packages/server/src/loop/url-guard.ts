import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Webhook URLs must not reach the inside of the network Canopy runs in (SSRF): loopback,
 * private ranges, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast
 * and reserved addresses are refused — when the webhook is saved (a literal address, or a name
 * that resolves to one) and again when it is sent (the address actually connected to, so a
 * name that later resolves inside — DNS rebinding — is caught too).
 *
 * Tests and single-machine setups that post to a receiver on loopback opt in explicitly:
 * `CANOPY_WEBHOOK_ALLOW_PRIVATE=1` or the app option `loop.webhookAllowPrivate`.
 */
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64 (wraps an IPv4 address)
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (AWS metadata fd00:ec2::254 is here)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

const BLOCKED_NAMES =
  /^(localhost|.*\.localhost|metadata|metadata\.google\.internal|instance-data(\.ec2\.internal)?)\.?$/i;

/** True for an address a webhook must not be sent to (see above). */
export function isInternalAddress(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) return blocked.check(ip, 'ipv4');
  if (v === 6) {
    const lower = ip.toLowerCase();
    // IPv4-mapped (::ffff:10.0.0.1) and IPv4-compatible forms: judge the IPv4 address.
    const mapped = /^(?:::ffff:|::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
    if (mapped) return blocked.check(mapped, 'ipv4');
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
    if (hex) {
      const n = (Number.parseInt(hex[1], 16) << 16) | Number.parseInt(hex[2], 16);
      return blocked.check([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), 'ipv4');
    }
    return blocked.check(ip, 'ipv6');
  }
  return true; // not an address at all: refuse rather than guess
}

/** Whether the process-wide setting allows private targets (CANOPY_WEBHOOK_ALLOW_PRIVATE=1). */
export function allowPrivateFromEnv(): boolean {
  return ['1', 'true', 'yes'].includes((process.env.CANOPY_WEBHOOK_ALLOW_PRIVATE ?? '').toLowerCase());
}

const hostOf = (u: URL) => u.hostname.replace(/^\[|\]$/g, '');

/**
 * Why `url` may not be a webhook target, or null when it may. Checks the scheme, credentials,
 * and the host: a literal address directly, a name by resolving it (a name that does not
 * resolve now is accepted — the check at send time still applies).
 */
export async function webhookUrlProblem(url: string, allowPrivate: boolean, timeoutMs = 2000): Promise<string | null> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an absolute http or https URL';
  if (u.username || u.password) return 'must not carry credentials (use the signing secret to authenticate)';
  if (allowPrivate) return null;
  const host = hostOf(u);
  if (isIP(host)) return isInternalAddress(host) ? `${host} is an internal address` : null;
  if (BLOCKED_NAMES.test(host)) return `${host} is an internal host name`;
  const addrs = await new Promise<LookupAddress[]>((resolve) => {
    const t = setTimeout(() => resolve([]), timeoutMs);
    dnsLookup(host, { all: true }, (err, list) => {
      clearTimeout(t);
      resolve(err ? [] : list);
    });
  });
  const inside = addrs.find((a) => isInternalAddress(a.address));
  return inside ? `${host} resolves to an internal address (${inside.address})` : null;
}

export class InternalAddressError extends Error {
  readonly code = 'EINTERNALADDR';
}

/**
 * A `lookup` for http(s).request that refuses internal addresses at connect time; literal IP
 * hosts skip lookup, so callers check those with `isInternalAddress` first.
 */
export function guardedLookup(
  hostname: string,
  options: { family?: number | string; all?: boolean },
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true } as { all: true }, (err, list) => {
    if (err) return callback(err, '');
    const bad = list.find((a) => isInternalAddress(a.address));
    if (bad)
      return callback(new InternalAddressError(`${hostname} resolves to an internal address (${bad.address})`), '');
    if (options.all) return callback(null, list);
    callback(null, list[0].address, list[0].family);
  });
}
