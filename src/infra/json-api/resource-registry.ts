import { Injectable } from '@nestjs/common';
import type { ResourceDefinition } from './resource-definition';
import type { ResourceHandler } from './resource-handler';

export interface RegisteredResource {
  def: ResourceDefinition;
  handler: ResourceHandler;
}

/**
 * Every resource type the server exposes, with its handler. Filled at start by
 * the generated resource controllers; read by includes, relationship checks,
 * atomic operations and the OpenAPI document.
 */
@Injectable()
export class ResourceRegistry {
  private readonly byType = new Map<string, RegisteredResource>();

  register(def: ResourceDefinition, handler: ResourceHandler): void {
    const existing = this.byType.get(def.type);
    if (existing && existing.handler !== handler) throw new Error(`Resource type ${def.type} registered twice`);
    this.byType.set(def.type, { def, handler });
  }

  find(type: string): RegisteredResource | undefined {
    return this.byType.get(type);
  }

  get(type: string): RegisteredResource {
    const found = this.byType.get(type);
    if (!found) throw new Error(`Unknown resource type ${type}`);
    return found;
  }

  all(): RegisteredResource[] {
    return [...this.byType.values()].sort((a, b) => a.def.type.localeCompare(b.def.type));
  }
}
