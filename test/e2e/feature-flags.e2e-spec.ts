import { AccessTokenService } from '../../src/infra/auth/access-token';
import { PRINCIPAL_LOADER, type PrincipalLoader } from '../../src/infra/auth/principal-loader';
import { CatalogDatabase } from '../../src/infra/database/catalog-database';
import { Feature, isEnabled } from '../../src/infra/tenancy/features';
import { FeatureFlags } from '../../src/modules/tenants/feature-flags';
import { PROFILE, type TestApp, bootApp } from '../support/app-harness';
import { newShop } from '../support/fixtures';

describe(`feature flags per tenant (${PROFILE})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('switches a flag for one tenant first; the next request of that tenant sees it in its context', async () => {
    const [first, second] = [await newShop(t), await newShop(t)];
    const flags = new FeatureFlags(t.app.get(CatalogDatabase).dataSource);
    const principalOf = async (token: string) => {
      const claims = t.app.get(AccessTokenService).verify(token);
      return (await t.app.get<PrincipalLoader>(PRINCIPAL_LOADER).fromAccessToken(claims))!;
    };

    await flags.set(first.tenantId, Feature.LargeSyncBatches, true);
    expect(isEnabled(await principalOf(first.accessToken), Feature.LargeSyncBatches)).toBe(true);
    expect(isEnabled(await principalOf(second.accessToken), Feature.LargeSyncBatches)).toBe(false);
    expect(await flags.list(first.tenantId)).toEqual({ [Feature.ReportsFromReplica]: false, [Feature.LargeSyncBatches]: true });

    await flags.set(first.tenantId, Feature.LargeSyncBatches, false);
    expect(isEnabled(await principalOf(first.accessToken), Feature.LargeSyncBatches)).toBe(false);
  });

  it('refuses a flag nobody declared and a tenant that does not exist', async () => {
    const shop = await newShop(t);
    const flags = new FeatureFlags(t.app.get(CatalogDatabase).dataSource);
    await expect(flags.set(shop.tenantId, 'mistyped-flag', true)).rejects.toThrow(/Unknown flag/);
    await expect(flags.set('01a21400-0000-7000-8000-000000000000', Feature.LargeSyncBatches, true)).rejects.toThrow(/No tenant/);
  });
});
