import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import { Roles } from '../auth/auth.decorators';
import { ApiError } from '../errors/api-error';
import { RegisteredNode, RuleNodeRegistry } from '../plugins/rule-node-registry';

const COMPONENT_TYPES = ['FILTER', 'ENRICHMENT', 'TRANSFORMATION', 'ACTION', 'EXTERNAL', 'FLOW'];

/** A stable id per node type, so the editor's cache keys do not change between restarts. */
function stableId(type: string): string {
  const hex = createHash('sha1').update(`edgewise-component:${type}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** ComponentDescriptor JSON (rest-api.md §2.8), plus what our editor needs: the JSON Schema and the plugin. */
function descriptorJson({ descriptor, plugin, storedType }: RegisteredNode) {
  const relations = [...descriptor.relations];
  if (descriptor.outEnabled !== false && !relations.includes('Failure')) relations.push('Failure');
  return {
    id: { id: stableId(descriptor.type) },
    createdTime: 0,
    type: descriptor.category.toUpperCase(),
    scope: 'TENANT',
    clusteringMode: 'ENABLED',
    name: descriptor.name,
    clazz: storedType,
    configurationDescriptor: {
      nodeDefinition: {
        details: descriptor.description,
        description: descriptor.description,
        inEnabled: descriptor.inEnabled !== false,
        outEnabled: descriptor.outEnabled !== false,
        relationTypes: relations,
        customRelations: !!descriptor.customRelations,
        ruleChainNode: descriptor.type === 'core/rule-chain',
        defaultConfiguration: descriptor.defaultConfig,
        uiResources: [],
        configDirective: '',
        icon: descriptor.icon ?? 'settings_ethernet',
        iconUrl: '',
        docUrl: '',
      },
    },
    configurationVersion: descriptor.configVersion ?? 0,
    actions: null,
    hasQueueName: false,
    edgewise: { type: descriptor.type, plugin: { name: plugin.name, version: plugin.version }, configSchema: descriptor.configSchema },
  };
}

function parseTypes(raw: string | undefined): string[] {
  const types = (raw ?? '')
    .split(',')
    .map((t) => t.trim().toUpperCase())
    .filter(Boolean);
  const unknown = types.find((t) => !COMPONENT_TYPES.includes(t));
  if (unknown) throw ApiError.badRequest(`Unknown component type '${unknown}': use ${COMPONENT_TYPES.join(', ')}`);
  return types;
}

/** The node catalogue the rule-chain editor shows, from every installed plugin. */
@ApiTags('rule-chains')
@ApiBearerAuth()
@Controller('api')
@Roles('SYS_ADMIN', 'TENANT_ADMIN')
export class ComponentDescriptorsController {
  constructor(private readonly registry: RuleNodeRegistry) {}

  @Get('components')
  byTypes(@Query('componentTypes') componentTypes?: string) {
    return this.list(parseTypes(componentTypes ?? COMPONENT_TYPES.join(',')));
  }

  @Get('components/:componentType')
  byType(@Param('componentType') componentType: string) {
    return this.list(parseTypes(componentType));
  }

  @Get('component/:clazz')
  byClass(@Param('clazz') clazz: string) {
    const node = this.registry.find(clazz);
    if (!node) throw ApiError.notFound();
    return descriptorJson(node);
  }

  private list(types: string[]) {
    return this.registry
      .all()
      .filter((node) => types.includes(node.descriptor.category.toUpperCase()))
      .map(descriptorJson);
  }
}
