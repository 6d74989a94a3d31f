// Whose budget an anonymous request spends (rate-limit.ts): its client address, as Express's req.ip
// gives it (behind a proxy TRUST_PROXY decides which hop counts). An IPv4 address is one client.
// An IPv6 client usually holds a whole prefix (a /64 per link, a /56 or /48 per site), so counting
// single IPv6 addresses would let one client rotate through billions of them: its /56 is the key.
import { isIPv4, isIPv6 } from "node:net";

const IPV6_PREFIX_BITS = 56;

export function clientAddressKey(ip: string | undefined): string {
  if (!ip) return "unknown";
  const address = ip.replace(/%.*$/, "").toLowerCase(); // an IPv6 zone (fe80::1%eth0) names no other client
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (!isIPv6(address)) return address;
  return `${ipv6Prefix(address)}::/${IPV6_PREFIX_BITS}`;
}

/** The first IPV6_PREFIX_BITS of a valid IPv6 address, as hex groups ("2001:db8:0:ab00"). */
function ipv6Prefix(address: string): string {
  const [head = "", tail] = address.split("::");
  // A dotted IPv4 tail stands for the last two groups; it never reaches the prefix.
  const groupsOf = (part: string) => (part === "" ? [] : part.split(":").flatMap((group) => (group.includes(".") ? ["0", "0"] : [group])));
  const front = groupsOf(head);
  const back = tail === undefined ? [] : groupsOf(tail);
  const groups = [...front, ...Array<string>(8 - front.length - back.length).fill("0"), ...back];
  const wholeGroups = Math.floor(IPV6_PREFIX_BITS / 16);
  const partBits = IPV6_PREFIX_BITS % 16;
  const kept = groups.slice(0, wholeGroups).map((group) => parseInt(group, 16));
  if (partBits > 0) kept.push(parseInt(groups[wholeGroups]!, 16) & ((0xffff << (16 - partBits)) & 0xffff));
  return kept.map((group) => group.toString(16)).join(":");
}
