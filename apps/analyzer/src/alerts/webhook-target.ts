import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Webhook URLs come from API users; without a check they reach whatever the analyzer can reach
 * (cloud metadata at 169.254.169.254, Redis, the admin side of other services). A target is
 * refused when its host resolves to any loopback, private, link-local, shared (CGNAT), multicast
 * or unspecified address, unless the operator allows private targets (WEBHOOK_ALLOW_PRIVATE) or
 * names the host (WEBHOOK_ALLOWED_HOSTS). The check resolves the name itself, so a public name
 * pointing inside is refused too; redirects are never followed (the deliverer uses
 * `redirect: "manual"`). A name re-pointed between this lookup and the request's own is not
 * caught: that needs an egress proxy, which docs/operations.md recommends for production.
 */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  INTERNAL.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
] as const)
  INTERNAL.addSubnet(net, prefix, "ipv6");

export interface WebhookTargetPolicy {
  allowPrivate: boolean;
  /** Host names (lower case) allowed whatever they resolve to. */
  allowedHosts: readonly string[];
}

export type ResolveHost = (host: string) => Promise<string[]>;

const resolveWithDns: ResolveHost = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return INTERNAL.check(address, "ipv4");
  if (family !== 6) return true; // not an address: never trusted
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return INTERNAL.check(mapped[1]!, "ipv4");
  return INTERNAL.check(address, "ipv6");
}

/** Why a URL may not be called; `retryable` when a later attempt may succeed (DNS failing now). */
export interface RefusedTarget {
  reason: string;
  retryable: boolean;
}

/** Why the URL may not be called, or null when it may. */
export async function refusedWebhookTarget(
  url: string,
  policy: WebhookTargetPolicy,
  resolve: ResolveHost = resolveWithDns,
): Promise<RefusedTarget | null> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { reason: "not a URL", retryable: false };
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    return { reason: `scheme ${u.protocol} is not http(s)`, retryable: false };
  if (policy.allowPrivate) return null;
  const host = u.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (policy.allowedHosts.includes(host)) return null;
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { reason: `host ${host} does not resolve (${why})`, retryable: true };
  }
  if (addresses.length === 0) return { reason: `host ${host} does not resolve`, retryable: true };
  const internal = addresses.find(isInternalAddress);
  if (internal === undefined) return null;
  return {
    reason: `refused: ${host} resolves to internal address ${internal} (WEBHOOK_ALLOW_PRIVATE or WEBHOOK_ALLOWED_HOSTS allow it)`,
    retryable: false,
  };
}
