/**
 * The object models a tenant's clients are read with: the models uploaded to the resource library (the system
 * administrator's and the tenant's own, through the core) over the built-in ones. Each uploaded file is parsed
 * once per content; a stored file that does not parse is left out with a warning naming it.
 */
import { createHash } from 'node:crypto';
import type { Lwm2mModelFile, PluginLogger } from '@edgewise/plugin-api';
import { ModelRegistry, parseDdf } from './ddf';
import type { ModelLookup, ObjectModel } from './object-model';

export class TenantModels {
  /** Parsed models by SHA-256 of the file. */
  private readonly parsed = new Map<string, ObjectModel[]>();

  constructor(
    private readonly builtIn: ModelLookup,
    private readonly uploaded: (tenantId: string) => Promise<Lwm2mModelFile[]>,
    private readonly log: PluginLogger,
  ) {}

  /** The lookup for `tenantId`, read afresh (a registration picks up models uploaded since the last one). */
  async forTenant(tenantId: string): Promise<ModelLookup> {
    const files = await this.uploaded(tenantId);
    if (files.length === 0) return this.builtIn;
    const registry = new ModelRegistry();
    for (const file of files) registry.add(...this.parse(file));
    return { find: (objectId, version) => registry.find(objectId, version) ?? this.builtIn.find(objectId, version) };
  }

  private parse(file: Lwm2mModelFile): ObjectModel[] {
    const digest = createHash('sha256').update(file.xml).digest('hex');
    let models = this.parsed.get(digest);
    if (models === undefined) {
      try {
        models = parseDdf(file.xml, file.fileName);
      } catch (e) {
        this.log.warn(`LwM2M transport: ${(e as Error).message}; the model is left out until it is uploaded again`);
        models = [];
      }
      this.parsed.set(digest, models);
    }
    return models;
  }
}
