import { Injectable } from '@nestjs/common';
import { CATALOG_VERSIONS, VersionOutbox } from '../cache/version-outbox';
import { VersionStore } from '../cache/version-store';
import { principalVersionKeys } from './principal-versions';

/** What a credential's load returns: what to remember, and until when it may be used at all (a session's end). */
export interface LoadedPrincipal<T> {
  value: T;
  validUntil: number;
}

interface Held {
  value: unknown;
  versions: string;
  validUntil: number;
}

/** Credentials remembered per instance (least recently used go first): a few hundred bytes each. */
const MAX_HELD = 20_000;

/**
 * The principals behind credentials (a login session, a device token), kept in
 * process so that most requests need no catalog query, and checked on every
 * request against two versions in the shared cache (`PrincipalVersions`): the
 * tenant's and the user's (or device's). Every write that changes what a principal
 * carries moves one of them after its commit, so a logout, a deactivation, a role
 * or store change, a revoked device or a tenant being moved applies to the very
 * next request on every instance.
 *
 * The versions are read before the catalog is, and a principal is kept under the
 * versions read before it was loaded: a change committed meanwhile moves them and
 * forces the next request to load again. Nothing is trusted without them: with
 * Redis down, a version missing, or this instance not yet reconciled with the
 * catalog's outbox of moves (`VersionOutbox.trusted`), every request loads from the
 * catalog. Redis holds only ids and versions, never the principal.
 */
@Injectable()
export class PrincipalCache {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly outbox: VersionOutbox,
    private readonly versions: VersionStore,
  ) {}

  /**
   * The principal behind `credential` (a key naming the tenant and the credential),
   * for `subjectId` (the user or device), from memory while its versions are
   * current, else from `load` (null: the credential no longer allows access).
   */
  async resolve<T>(credential: string, tenantId: string, subjectId: string, load: () => Promise<LoadedPrincipal<T> | null>): Promise<T | null> {
    const versions = await this.current(tenantId, subjectId);
    const held = this.held.get(credential);
    if (held && versions !== undefined && held.versions === versions && Date.now() < held.validUntil) {
      // Most recently used last, so eviction takes the coldest.
      this.held.delete(credential);
      this.held.set(credential, held);
      return held.value as T;
    }
    const loaded = await load();
    if (!loaded) {
      this.held.delete(credential);
      return null;
    }
    if (versions !== undefined && Date.now() < loaded.validUntil) this.keep(credential, { value: loaded.value, versions, validUntil: loaded.validUntil });
    return loaded.value;
  }

  private async current(tenantId: string, subjectId: string): Promise<string | undefined> {
    try {
      const trusted = this.outbox.trusted(CATALOG_VERSIONS);
      if (trusted !== true && !(await trusted)) return undefined;
      return (await this.versions.read(principalVersionKeys(tenantId, subjectId))).join(' ');
    } catch {
      return undefined;
    }
  }

  private keep(credential: string, entry: Held): void {
    this.held.delete(credential);
    this.held.set(credential, entry);
    if (this.held.size > MAX_HELD) this.held.delete(this.held.keys().next().value!);
  }
}
