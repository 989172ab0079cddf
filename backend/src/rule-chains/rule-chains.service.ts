import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { checkAccess } from '../access/tenant-access';
import { AuditLogService } from '../audit-log/audit-log.service';
import type { SecurityUser } from '../auth/security-user';
import type { JsonObject } from '../database/column-transformers';
import { DeviceProfileEntity } from '../device-profiles/device-profile.entity';
import { newId } from '../database/ids';
import { ApiError } from '../errors/api-error';
import { TenantEntity } from '../tenants/tenant.entity';
import { likePattern, PageData, PageLink, toPageData } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { RegisteredNode, RuleNodeRegistry } from '../plugins/rule-node-registry';
import type { RuleChainDataDto, RuleChainDto, RuleChainMetaDataDto, RuleNodeDto } from './dto/rule-chain.dto';
import { RuleChainEvents } from './rule-chain-events';
import { DebugSettings, NodeConnection, RuleChainEntity, RuleChainVersionEntity, RuleNodeEntity } from './rule-chain.entity';
import { ruleChainJson, ruleChainMetadataJson, type RuleChainMetaDataJson } from './rule-chain.json';

export const RULE_CHAIN_SORTABLE = { createdTime: 'createdTime', name: 'name', root: 'root' };

/** ThingsBoard's `debug.settings.default_duration`: how long "debug everything" lasts at most. */
const MAX_DEBUG_DURATION_MS = 15 * 60_000;

/** The node type that links to another chain ("rule chain" node); legacy `ruleChainConnections` become it. */
const RULE_CHAIN_NODE_TYPES = ['org.thingsboard.rule.engine.flow.TbRuleChainInputNode', 'core/rule-chain'];
const OUTPUT_NODE_TYPES = ['org.thingsboard.rule.engine.flow.TbRuleChainOutputNode', 'core/output'];

/** Where the default chains shipped with Edgewise live (`rule-chains/` at the repository root). */
export const DEFAULT_CHAINS_DIR = join(__dirname, '..', '..', '..', 'rule-chains');

interface ChainExport {
  ruleChain: RuleChainDto;
  metadata: Omit<RuleChainMetaDataDto, 'ruleChainId'>;
}

export interface ImportResult {
  ruleChainId: { entityType: 'RULE_CHAIN'; id: string };
  ruleChainName: string;
  updated?: boolean;
  error?: string;
}

/**
 * Rule chains as stored: headers, node graphs (ThingsBoard's JSON, node types by ThingsBoard class name),
 * every saved version, import/export. Committed changes are announced on RuleChainEvents for the engine.
 */
@Injectable()
export class RuleChainsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('RuleChains');

  constructor(
    @InjectRepository(RuleChainEntity) private readonly chains: Repository<RuleChainEntity>,
    @InjectRepository(RuleNodeEntity) private readonly nodes: Repository<RuleNodeEntity>,
    @InjectRepository(RuleChainVersionEntity) private readonly versions: Repository<RuleChainVersionEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: RuleNodeRegistry,
    private readonly audit: AuditLogService,
    private readonly events: RuleChainEvents,
  ) {}

  /** Tenants created before rule chains existed (or whose root was lost) get the default root chain. */
  async onApplicationBootstrap(): Promise<void> {
    const withRoot = new Set(
      (await this.chains.find({ where: { type: 'CORE', root: true }, select: { tenantId: true } })).map((c) => c.tenantId),
    );
    const tenants = await this.db.getRepository(TenantEntity).find({ select: { id: true } });
    for (const { id } of tenants) if (!withRoot.has(id)) await this.createDefaultRootChain(id);
  }

  /** The default root chain (rule-chains/root_rule_chain.json), as ThingsBoard gives every new tenant. */
  async createDefaultRootChain(tenantId: string): Promise<RuleChainEntity> {
    const definition = JSON.parse(readFileSync(join(DEFAULT_CHAINS_DIR, 'root_rule_chain.json'), 'utf8')) as ChainExport;
    const chain = await this.insertChain(tenantId, { ...definition.ruleChain, root: true });
    await this.replaceGraph(tenantId, chain, { ...definition.metadata, ruleChainId: { id: chain.id } }, null);
    this.logger.log({ msg: 'default root rule chain created', tenantId, ruleChainId: chain.id });
    return (await this.chains.findOneBy({ id: chain.id }))!;
  }

  async get(user: SecurityUser, rawId: string): Promise<RuleChainEntity> {
    const id = parseUuid(rawId);
    return checkAccess(user, 'RULE_CHAIN', id, await this.chains.findOneBy({ id }));
  }

  /** Every CORE chain of the tenant with its nodes, for deployment. */
  async loadTenant(tenantId: string): Promise<{ chain: RuleChainEntity; nodes: RuleNodeEntity[] }[]> {
    const chains = await this.chains.findBy({ tenantId, type: 'CORE' });
    const nodes = chains.length ? await this.nodes.findBy({ ruleChainId: In(chains.map((c) => c.id)) }) : [];
    return chains.map((chain) => ({ chain, nodes: nodes.filter((n) => n.ruleChainId === chain.id) }));
  }

  async loadOne(ruleChainId: string): Promise<{ chain: RuleChainEntity; nodes: RuleNodeEntity[] } | null> {
    const chain = await this.chains.findOneBy({ id: ruleChainId });
    return chain ? { chain, nodes: await this.nodes.findBy({ ruleChainId }) } : null;
  }

  async page(tenantId: string, link: PageLink, type: string): Promise<PageData<RuleChainEntity>> {
    const query = this.chains.createQueryBuilder('c').where('c.tenantId = :tenantId AND c.type = :type', { tenantId, type });
    if (link.textSearch) query.andWhere(`LOWER(c.name) LIKE :pattern ESCAPE '\\'`, { pattern: likePattern(link.textSearch) });
    if (link.sortProperty) query.orderBy(`c.${link.sortProperty}`, link.sortOrder);
    else query.orderBy('c.createdTime', 'DESC');
    const [rows, total] = await query
      .skip(link.page * link.pageSize)
      .take(link.pageSize)
      .getManyAndCount();
    return toPageData(rows, total, link);
  }

  async list(user: SecurityUser, ids: string[]): Promise<RuleChainEntity[]> {
    return this.chains.findBy({ tenantId: user.tenantId, id: In(ids.map(parseUuid)) });
  }

  /** POST /api/ruleChain: creates or updates the header (the graph is saved through metadata). */
  async saveHeader(user: SecurityUser, dto: RuleChainDto): Promise<RuleChainEntity> {
    if (!dto.name?.trim()) throw ApiError.badRequest('Rule chain name should be specified!');
    const existing = dto.id?.id ? await this.get(user, dto.id.id) : null;
    const type = dto.type ?? existing?.type ?? 'CORE';
    if (dto.root && !existing?.root && (await this.chains.existsBy({ tenantId: user.tenantId, type, root: true }))) {
      throw ApiError.badRequest(
        type === 'EDGE'
          ? 'Another edge template root rule chain is present in scope of current tenant!'
          : 'Another root rule chain is present in scope of current tenant!',
      );
    }
    let chain: RuleChainEntity;
    if (!existing) {
      chain = await this.insertChain(user.tenantId, { ...dto, type });
      await this.audit.record({ user, entityType: 'RULE_CHAIN', entityId: chain.id, entityName: chain.name, actionType: 'ADDED' });
    } else {
      if (dto.version != null && dto.version !== existing.version) throw ApiError.versionConflict('Rule chain');
      await this.bumpVersion(this.db.manager, existing, {
        name: dto.name.trim(),
        debugMode: dto.debugMode ?? existing.debugMode,
        additionalInfo: dto.additionalInfo ?? existing.additionalInfo,
        configuration: dto.configuration ?? existing.configuration,
        root: existing.root || !!dto.root,
      });
      chain = (await this.chains.findOneBy({ id: existing.id }))!;
      await this.audit.record({ user, entityType: 'RULE_CHAIN', entityId: chain.id, entityName: chain.name, actionType: 'UPDATED' });
    }
    await this.events.changed(chain.tenantId, chain.id);
    return chain;
  }

  async getMetadata(user: SecurityUser, rawId: string): Promise<RuleChainMetaDataJson> {
    const chain = await this.get(user, rawId);
    return ruleChainMetadataJson(chain, await this.nodes.findBy({ ruleChainId: chain.id }));
  }

  /** POST /api/ruleChain/metadata: replaces the graph (rest-api.md §2.4); a new version is kept. */
  async saveMetadata(user: SecurityUser, dto: RuleChainMetaDataDto): Promise<RuleChainMetaDataJson> {
    const chain = await this.get(user, dto.ruleChainId.id);
    if (dto.version != null && dto.version !== chain.version) throw ApiError.versionConflict('Rule chain');
    const saved = await this.replaceGraph(user.tenantId, chain, dto, user.id);
    await this.audit.record({ user, entityType: 'RULE_CHAIN', entityId: chain.id, entityName: chain.name, actionType: 'UPDATED' });
    return saved;
  }

  /** POST /api/ruleChain/{id}/root. Refused when the chain could not run (nodes this installation lacks). */
  async setRoot(user: SecurityUser, rawId: string): Promise<RuleChainEntity> {
    const chain = await this.get(user, rawId);
    if (chain.root) return chain;
    if (chain.type !== 'CORE') throw ApiError.badRequest('Only a CORE rule chain can be the root rule chain');
    const unsupported = this.registry.unsupported(await this.nodes.findBy({ ruleChainId: chain.id }));
    if (unsupported.length) {
      throw ApiError.badRequest(
        `Rule chain "${chain.name}" can't become the root: it uses node types this installation does not have: ${unsupported.join(', ')}. Replace them or install the plugin that provides them.`,
      );
    }
    await this.db.transaction(async (tx) => {
      const previous = await tx.getRepository(RuleChainEntity).findBy({ tenantId: chain.tenantId, type: 'CORE', root: true });
      for (const old of previous) await this.bumpVersion(tx, old, { root: false });
      await this.bumpVersion(tx, chain, { root: true });
    });
    await this.audit.record({ user, entityType: 'RULE_CHAIN', entityId: chain.id, entityName: chain.name, actionType: 'UPDATED' });
    await this.events.changed(chain.tenantId, chain.id);
    return (await this.chains.findOneBy({ id: chain.id }))!;
  }

  async delete(user: SecurityUser, rawId: string): Promise<void> {
    const chain = await this.get(user, rawId);
    if (chain.root) throw ApiError.badRequest('Deletion of Root Tenant Rule Chain is prohibited!');
    if (await this.db.getRepository(DeviceProfileEntity).existsBy({ defaultRuleChainId: chain.id })) {
      throw ApiError.badRequest('The rule chain referenced by the device profiles cannot be deleted!');
    }
    await this.db.transaction(async (tx) => {
      await tx.getRepository(RuleNodeEntity).delete({ ruleChainId: chain.id });
      await tx.getRepository(RuleChainVersionEntity).delete({ ruleChainId: chain.id });
      await tx.getRepository(RuleChainEntity).delete({ id: chain.id });
    });
    await this.audit.record({ user, entityType: 'RULE_CHAIN', entityId: chain.id, entityName: chain.name, actionType: 'DELETED' });
    await this.events.deleted(chain.tenantId, chain.id);
  }

  /** Labels of the chain's output nodes: the relations a "rule chain" node calling it can emit. */
  async outputLabels(user: SecurityUser, rawId: string): Promise<string[]> {
    const chain = await this.get(user, rawId);
    const outputs = await this.nodes.findBy({ ruleChainId: chain.id, type: In(OUTPUT_NODE_TYPES) });
    return [...new Set(outputs.map((n) => n.name))].sort();
  }

  async listVersions(user: SecurityUser, rawId: string) {
    const chain = await this.get(user, rawId);
    const versions = await this.versions.find({ where: { ruleChainId: chain.id }, order: { version: 'DESC' } });
    return versions.map((v) => ({
      version: v.version,
      createdTime: v.createdTime,
      userId: v.userId ? { entityType: 'USER', id: v.userId } : null,
      nodes: Array.isArray(v.metadata.nodes) ? v.metadata.nodes.length : 0,
      current: v.version === chain.version,
    }));
  }

  /** Saves an earlier version's graph as the newest version. */
  async restoreVersion(user: SecurityUser, rawId: string, version: number): Promise<RuleChainMetaDataJson> {
    const chain = await this.get(user, rawId);
    const old = await this.versions.findOneBy({ ruleChainId: chain.id, version });
    if (!old) throw ApiError.notFound(`Rule chain [${chain.id}] has no version ${version}`);
    const metadata = old.metadata as RuleChainMetaDataJson;
    return this.saveMetadata(user, {
      ...metadata,
      ruleChainId: { id: chain.id },
      version: chain.version,
      nodes: metadata.nodes.map((n) => ({ ...n, id: n.id ? { id: n.id.id } : null })) as RuleNodeDto[],
    } as RuleChainMetaDataDto);
  }

  /** GET /api/ruleChains/export (rest-api.md §2.6): fresh ids, links between the exported chains kept. */
  async export(user: SecurityUser, limit: number) {
    const chains = await this.chains.find({ where: { tenantId: user.tenantId }, order: { createdTime: 'ASC' }, take: limit });
    const newIds = new Map(chains.map((c) => [c.id, newId()]));
    const ruleChains = chains.map((c) => ({
      ...ruleChainJson(c),
      id: { entityType: 'RULE_CHAIN', id: newIds.get(c.id)! },
      tenantId: null,
    }));
    const metadata = [];
    for (const chain of chains) {
      const json = ruleChainMetadataJson(chain, await this.nodes.findBy({ ruleChainId: chain.id }));
      metadata.push({
        ...json,
        ruleChainId: { entityType: 'RULE_CHAIN', id: newIds.get(chain.id)! },
        nodes: json.nodes.map((n) => ({ ...n, id: null, ruleChainId: null, configuration: retarget(n.type, n.configuration, newIds) })),
      });
    }
    return { ruleChains, metadata };
  }

  /** POST /api/ruleChains/import: one result per chain; a failing chain does not stop the others. */
  async import(user: SecurityUser, data: RuleChainDataDto, overwrite: boolean): Promise<ImportResult[]> {
    const results: ImportResult[] = [];
    const newIds = new Map<string, string>();
    const imported: { chain: RuleChainEntity; sourceId: string | undefined }[] = [];
    for (const dto of data.ruleChains) {
      const name = dto.name?.trim() ?? '';
      try {
        if (!name) throw ApiError.badRequest('Rule chain name should be specified!');
        const type = dto.type ?? 'CORE';
        const existing = overwrite ? await this.chains.findOneBy({ tenantId: user.tenantId, type, name }) : null;
        const chain = existing ?? (await this.insertChain(user.tenantId, { ...dto, type, root: false }));
        if (dto.id?.id) newIds.set(dto.id.id, chain.id);
        imported.push({ chain, sourceId: dto.id?.id });
        results.push({
          ruleChainId: { entityType: 'RULE_CHAIN', id: chain.id },
          ruleChainName: name,
          ...(existing ? { updated: true } : {}),
        });
      } catch (e) {
        results.push({ ruleChainId: { entityType: 'RULE_CHAIN', id: dto.id?.id ?? '' }, ruleChainName: name, error: (e as Error).message });
      }
    }
    for (const { chain, sourceId } of imported) {
      const metadata = data.metadata.find((m) => m.ruleChainId.id === sourceId);
      if (!metadata) continue;
      try {
        const nodes = metadata.nodes.map((n) => ({ ...n, id: null, configuration: retarget(n.type, n.configuration ?? {}, newIds) }));
        const current = (await this.chains.findOneBy({ id: chain.id }))!;
        await this.replaceGraph(user.tenantId, current, { ...metadata, ruleChainId: { id: chain.id }, nodes }, user.id);
      } catch (e) {
        const result = results.find((r) => r.ruleChainId.id === chain.id)!;
        result.error = (e as Error).message;
      }
    }
    return results;
  }

  private async insertChain(tenantId: string, dto: RuleChainDto): Promise<RuleChainEntity> {
    return this.chains.save({
      id: newId(),
      createdTime: Date.now(),
      tenantId,
      name: dto.name!.trim(),
      type: dto.type ?? 'CORE',
      root: !!dto.root,
      debugMode: !!dto.debugMode,
      firstRuleNodeId: null,
      configuration: dto.configuration ?? null,
      additionalInfo: dto.additionalInfo ?? null,
      externalId: null,
      connections: null,
      notes: null,
      version: 1,
    });
  }

  /** Bumps the version guarded by the one read: a concurrent change in between makes this a 409. */
  private async bumpVersion(tx: EntityManager, chain: RuleChainEntity, changes: Partial<RuleChainEntity>): Promise<void> {
    const result = await tx
      .getRepository(RuleChainEntity)
      .update({ id: chain.id, version: chain.version }, { ...changes, version: chain.version + 1 });
    if (!result.affected) throw ApiError.versionConflict('Rule chain');
  }

  /** Validates and stores a whole graph in one transaction, keeps it as a version, announces the change. */
  private async replaceGraph(
    tenantId: string,
    chain: RuleChainEntity,
    dto: RuleChainMetaDataDto,
    userId: string | null,
  ): Promise<RuleChainMetaDataJson> {
    const nodeDtos = [...dto.nodes];
    const connections: NodeConnection[] = (dto.connections ?? []).map((c) => ({
      fromIndex: c.fromIndex,
      toIndex: c.toIndex,
      type: c.type,
    }));
    for (const link of dto.ruleChainConnections ?? []) {
      nodeDtos.push({
        type: RULE_CHAIN_NODE_TYPES[0],
        name: (link.additionalInfo?.ruleChainNodeName as string | undefined) ?? 'rule chain',
        configuration: { ruleChainId: link.targetRuleChainId.id },
        additionalInfo: link.additionalInfo ?? null,
      });
      connections.push({ fromIndex: link.fromIndex, toIndex: nodeDtos.length - 1, type: link.type });
    }
    checkConnections(connections, nodeDtos.length);
    if (dto.firstNodeIndex != null && (dto.firstNodeIndex < 0 || dto.firstNodeIndex >= nodeDtos.length)) {
      throw ApiError.badRequest(`firstNodeIndex ${dto.firstNodeIndex} does not point at one of the ${nodeDtos.length} nodes`);
    }
    const now = Date.now();
    const existing = new Map((await this.nodes.findBy({ ruleChainId: chain.id })).map((n) => [n.id, n]));
    const entities: RuleNodeEntity[] = nodeDtos.map((node, position) => {
      const kept = node.id?.id ? existing.get(node.id.id) : undefined;
      return {
        id: kept?.id ?? newId(),
        createdTime: kept?.createdTime ?? now + position,
        ruleChainId: chain.id,
        name: node.name,
        ...this.nodeConfiguration(node),
        debugSettings: normaliseDebug(node, now),
        singletonMode: !!node.singletonMode,
        queueName: node.queueName ?? null,
        additionalInfo: node.additionalInfo ?? null,
        externalId: kept?.externalId ?? null,
        position,
      };
    });
    const firstRuleNodeId = dto.firstNodeIndex != null ? entities[dto.firstNodeIndex].id : null;
    await this.db.transaction(async (tx) => {
      const keptIds = new Set(entities.map((e) => e.id));
      const removed = [...existing.keys()].filter((id) => !keptIds.has(id));
      if (removed.length) await tx.getRepository(RuleNodeEntity).delete({ id: In(removed) });
      await tx.getRepository(RuleNodeEntity).save(entities);
      await this.bumpVersion(tx, chain, { firstRuleNodeId, connections, notes: dto.notes?.length ? dto.notes : null });
      const updated = { ...chain, firstRuleNodeId, connections, notes: dto.notes ?? null, version: chain.version + 1 };
      await tx.getRepository(RuleChainVersionEntity).insert({
        ruleChainId: chain.id,
        version: updated.version,
        createdTime: now,
        userId,
        metadata: ruleChainMetadataJson(updated, entities) as JsonObject,
      });
    });
    await this.events.changed(tenantId, chain.id);
    const saved = (await this.chains.findOneBy({ id: chain.id }))!;
    return ruleChainMetadataJson(saved, entities);
  }

  /** Stored type (ThingsBoard class when the node has one) and configuration upgraded + validated. */
  private nodeConfiguration(node: RuleNodeDto): Pick<RuleNodeEntity, 'type' | 'configuration' | 'configurationVersion'> {
    const registered = this.registry.find(node.type);
    // An unknown type is stored as is (ThingsBoard does the same); the chain then refuses to run and says why.
    if (!registered)
      return { type: node.type, configuration: node.configuration ?? {}, configurationVersion: node.configurationVersion ?? 0 };
    const prepared = this.registry.prepareConfig(registered, withNodeQueue(registered, node), node.configurationVersion);
    if (!prepared.ok) throw ApiError.badRequest(`'${node.name}' node configuration is invalid: ${prepared.reason}`);
    return { type: registered.storedType, configuration: prepared.configuration, configurationVersion: prepared.configurationVersion };
  }
}

/**
 * ThingsBoard keeps a checkpoint's queue on the node (`queueName` beside `configuration`); our nodes read
 * it from their configuration, so a node whose schema has `queueName` gets the node-level one.
 */
function withNodeQueue(registered: RegisteredNode, node: RuleNodeDto): Record<string, unknown> | null | undefined {
  const properties = registered.descriptor.configSchema.properties as Record<string, unknown> | undefined;
  if (!node.queueName || !properties?.queueName || node.configuration?.queueName) return node.configuration;
  return { ...node.configuration, queueName: node.queueName };
}

/** Debug settings as ThingsBoard normalises them on save (rest-api.md §2.4). */
function normaliseDebug(node: RuleNodeDto, now: number): DebugSettings | null {
  if (node.debugSettings) {
    const until = node.debugSettings.allEnabled
      ? now + MAX_DEBUG_DURATION_MS
      : Math.min(node.debugSettings.allEnabledUntil ?? 0, now + MAX_DEBUG_DURATION_MS);
    return { failuresEnabled: !!node.debugSettings.failuresEnabled, allEnabled: false, allEnabledUntil: until };
  }
  if (node.debugMode) return { failuresEnabled: true, allEnabled: false, allEnabledUntil: now + MAX_DEBUG_DURATION_MS };
  return null;
}

/** Refuses links to a missing node, to itself, and cycles (rest-api.md §2.4). */
function checkConnections(connections: readonly NodeConnection[], nodeCount: number): void {
  const next: number[][] = Array.from({ length: nodeCount }, () => []);
  for (const { fromIndex, toIndex, type } of connections) {
    if (fromIndex < 0 || fromIndex >= nodeCount || toIndex < 0 || toIndex >= nodeCount) {
      throw ApiError.badRequest(`Connection ${fromIndex} → ${toIndex} (${type}) points outside the ${nodeCount} nodes of the chain`);
    }
    if (fromIndex === toIndex) throw ApiError.badRequest("Can't create the relation to yourself.");
    if (!type) throw ApiError.badRequest(`Connection ${fromIndex} → ${toIndex} needs a relation type`);
    next[fromIndex].push(toIndex);
  }
  const state = new Uint8Array(nodeCount); // 0 unvisited, 1 on the current path, 2 done
  const visit = (index: number): boolean => {
    state[index] = 1;
    for (const to of next[index]) if (state[to] === 1 || (state[to] === 0 && visit(to))) return true;
    state[index] = 2;
    return false;
  };
  for (let i = 0; i < nodeCount; i++) {
    if (state[i] === 0 && visit(i)) throw ApiError.badRequest("Can't create circling relations in rule chain.");
  }
}

/** A "rule chain" node's target rewritten to the chain's id in the importing/exported set. */
function retarget(type: string, configuration: Record<string, unknown>, ids: ReadonlyMap<string, string>): Record<string, unknown> {
  if (!RULE_CHAIN_NODE_TYPES.includes(type)) return configuration;
  const target = configuration.ruleChainId;
  return typeof target === 'string' && ids.has(target) ? { ...configuration, ruleChainId: ids.get(target)! } : configuration;
}
