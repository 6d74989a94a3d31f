// oidc-provider's adapter over the server's storage (store/oidc-records.ts), with the two rules of
// use that the provider alone would leave to chance across instances:
// - A code (authorization or device) is redeemed once. oidc-provider checks `consumed` when it
//   finds the code, then marks it; two redemptions at the same moment (on two instances) would
//   both pass the check. Marking is atomic here, and the redemption that finds the code already
//   marked is refused (invalid_grant) and revokes the grant, as a replayed code does (RFC 6749 §4.1.2).
// - A refresh token rotates: each is used once, but parallel refreshes with the same one (two
//   kubectl processes at once) both succeed within REFRESH_REUSE_GRACE_SECONDS of its first use;
//   each gets a new refresh token. A use after that finds it consumed, and oidc-provider revokes
//   the grant (reuse of a stolen token burns the family).
import type { Clock } from "../clock.js";
import type { ProviderErrors } from "./provider-module.js";
import { epochSeconds, type OidcModelRecords, type OidcPayload, type OidcRecordsFactory } from "../store/oidc-records.js";

/** How long after its first use a refresh token may be used again (parallel refreshes, SPEC §9). */
export const REFRESH_REUSE_GRACE_SECONDS = 60;

const SINGLE_USE = new Set(["AuthorizationCode", "DeviceCode"]);

/** oidc-provider's adapter factory: one adapter per model. */
export function providerAdapter(records: OidcRecordsFactory, clock: Clock, errors: ProviderErrors): (model: string) => ProviderAdapter {
  const grants = records("Grant");
  return (model) => new ProviderAdapter(model, records(model), grants, clock, errors);
}

export class ProviderAdapter {
  constructor(
    private readonly model: string,
    private readonly records: OidcModelRecords,
    private readonly grants: OidcModelRecords,
    private readonly clock: Clock,
    private readonly errors: ProviderErrors,
  ) {}

  upsert(id: string, payload: OidcPayload, expiresIn?: number): Promise<void> {
    return this.records.upsert(id, payload, expiresIn);
  }

  async find(id: string): Promise<OidcPayload | undefined> {
    return this.withinGrace(await this.records.find(id));
  }

  async findByUid(uid: string): Promise<OidcPayload | undefined> {
    return this.records.findByUid(uid);
  }

  async findByUserCode(userCode: string): Promise<OidcPayload | undefined> {
    return this.withinGrace(await this.records.findByUserCode(userCode));
  }

  async consume(id: string): Promise<void> {
    const before = await this.records.consume(id);
    if (before === null) return;
    if (this.model === "RefreshToken" && this.inGrace(before)) return;
    if (!SINGLE_USE.has(this.model) && this.model !== "RefreshToken") return;
    // Lost the race to another redemption of the same code (or a reuse past the grace): refused, and the grant revoked.
    const record = await this.records.find(id);
    if (typeof record?.grantId === "string") await this.revokeGrant(record.grantId);
    throw new this.errors.InvalidGrant(`${this.model === "RefreshToken" ? "refresh token" : "code"} already used`);
  }

  destroy(id: string): Promise<void> {
    return this.records.destroy(id);
  }

  revokeByGrantId(grantId: string): Promise<void> {
    return this.records.revokeByGrantId(grantId);
  }

  private async revokeGrant(grantId: string): Promise<void> {
    await this.records.revokeByGrantId(grantId);
    await this.grants.destroy(grantId);
  }

  private inGrace(consumedAt: number): boolean {
    return epochSeconds(this.clock) - consumedAt <= REFRESH_REUSE_GRACE_SECONDS;
  }

  /** A refresh token first used within the grace reads as unused, so a parallel refresh proceeds. */
  private withinGrace(payload: OidcPayload | undefined): OidcPayload | undefined {
    if (this.model !== "RefreshToken" || payload?.consumed === undefined || !this.inGrace(payload.consumed)) return payload;
    const { consumed: _consumed, ...unused } = payload;
    return unused;
  }
}
