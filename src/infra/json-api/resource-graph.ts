import { type Permission, can } from '../auth/permissions';
import type { RequestContext } from '../tenancy/request-context';
import { JsonApiError, JsonApiErrorCode } from './json-api.errors';
import { type ResourceDefinition, relationshipNamed } from './resource-definition';
import type { Identified, Linkage } from './resource-handler';
import type { ResourceRegistry } from './resource-registry';

/** A record on its way into a document, with the linkage loaded for it so far. */
export interface GraphNode {
  def: ResourceDefinition;
  record: Identified;
  linkage: Record<string, Linkage>;
  /** Decrypted sensitive attributes, once revealed. */
  plaintext?: Record<string, string | null>;
}

interface IncludeTree {
  [relationship: string]: IncludeTree;
}

function tree(paths: readonly string[]): IncludeTree {
  const root: IncludeTree = {};
  for (const path of paths) {
    let node = root;
    for (const segment of path.split('.')) node = node[segment] ??= {};
  }
  return root;
}

const key = (type: string, id: string) => `${type}\u0000${id}`;

/** Linkage held as a column of the record (to-one with a foreign key) costs no query: it is always shown. */
function columnLinkage(def: ResourceDefinition, record: Identified): Record<string, Linkage> {
  const linkage: Record<string, Linkage> = {};
  for (const [name, rel] of Object.entries(def.relationships ?? {})) {
    if (rel.foreignKey) linkage[name] = ((record as Record<string, unknown>)[rel.foreignKey] as string | null | undefined) ?? null;
  }
  return linkage;
}

/**
 * Loads what a compound document needs: linkage of every included relationship
 * and the included resources, one query per relationship per level (never one
 * per record), each resource once however many paths reach it.
 */
export class ResourceGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly primaryKeys = new Set<string>();

  constructor(
    private readonly ctx: RequestContext,
    private readonly registry: ResourceRegistry,
  ) {}

  node(def: ResourceDefinition, record: Identified): GraphNode {
    const k = key(def.type, record.id);
    let node = this.nodes.get(k);
    if (!node) {
      node = { def, record, linkage: columnLinkage(def, record) };
      this.nodes.set(k, node);
    }
    return node;
  }

  async load(def: ResourceDefinition, records: readonly Identified[], include: readonly string[]): Promise<GraphNode[]> {
    const primary = records.map((r) => this.node(def, r));
    primary.forEach((n) => this.primaryKeys.add(key(def.type, n.record.id)));
    await this.expand(def, primary, tree(include));
    return primary;
  }

  /** Every loaded resource that is not primary data, in the order first reached. */
  included(): GraphNode[] {
    return [...this.nodes.entries()].filter(([k]) => !this.primaryKeys.has(k)).map(([, n]) => n);
  }

  /** The linkage of one relationship for a batch of nodes; fills each node's `linkage`. */
  async linkage(def: ResourceDefinition, nodes: readonly GraphNode[], relationship: string): Promise<void> {
    const rel = relationshipNamed(def, relationship)!;
    if (rel.foreignKey || !nodes.length) return;
    const handler = this.registry.get(def.type).handler;
    if (!handler.linkage) throw new Error(`${def.type} cannot load the linkage of ${relationship}`);
    const map = await handler.linkage(this.ctx, relationship, nodes.map((n) => n.record));
    for (const node of nodes) node.linkage[relationship] = map.get(node.record.id) ?? (rel.kind === 'to-many' ? [] : null);
  }

  private async expand(def: ResourceDefinition, nodes: readonly GraphNode[], include: IncludeTree): Promise<void> {
    for (const [name, subtree] of Object.entries(include)) {
      const rel = relationshipNamed(def, name)!;
      const target = this.registry.get(rel.type);
      if (!can(this.ctx.role, target.def.permissions?.read as Permission)) {
        throw new JsonApiError(JsonApiErrorCode.InvalidQueryParameter, `Your role may not read ${rel.type}.`, { parameter: 'include' });
      }
      await this.linkage(def, nodes, name);
      const ids = [...new Set(nodes.flatMap((n) => n.linkage[name] ?? []))] as string[];
      const missing = ids.filter((id) => !this.nodes.has(key(rel.type, id)));
      if (missing.length) {
        for (const record of await target.handler.findByIds(this.ctx, missing)) this.node(target.def, record);
      }
      const reached = ids.map((id) => this.nodes.get(key(rel.type, id))).filter((n): n is GraphNode => n !== undefined);
      if (reached.length && Object.keys(subtree).length) await this.expand(target.def, reached, subtree);
    }
  }
}
