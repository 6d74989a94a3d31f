// Whose budget an anonymous request spends: one IPv4 address, or one IPv6 /56 (http/client-address.ts).
import { clientAddressKey } from "../../src/http/client-address.js";

test("an IPv4 address is itself, also when Node reports it IPv4-mapped", () => {
  expect(clientAddressKey("203.0.113.7")).toBe("203.0.113.7");
  expect(clientAddressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  expect(clientAddressKey("::FFFF:127.0.0.1")).toBe("127.0.0.1");
});

test("an IPv6 address counts for its /56, however it is written", () => {
  const key = "2001:db8:1:0::/56";
  expect(clientAddressKey("2001:db8:1:2::1")).toBe(key);
  expect(clientAddressKey("2001:0DB8:0001:00ff:ffff:ffff:ffff:ffff")).toBe(key);
  expect(clientAddressKey("2001:db8:1::")).toBe(key);
  expect(clientAddressKey("2001:db8:1:100::1")).toBe("2001:db8:1:100::/56");
  expect(clientAddressKey("::1")).toBe("0:0:0:0::/56");
  expect(clientAddressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/56");
  expect(clientAddressKey("64:ff9b::192.0.2.1")).toBe("64:ff9b:0:0::/56");
});

test("no address is one shared key; anything else is kept as it is", () => {
  expect(clientAddressKey(undefined)).toBe("unknown");
  expect(clientAddressKey("")).toBe("unknown");
  expect(clientAddressKey("not-an-address")).toBe("not-an-address");
});
