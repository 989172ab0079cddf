import { DEFAULT_RELATIONS_QUERY, findRelatedEntities, relationsQuerySchema, type RelationsQuery } from '../transformation/relations-query';
import { entityDataNode, type EntityDataConfig } from './entity-data';

export interface RelatedEntityDataConfig extends EntityDataConfig {
  relationsQuery: RelationsQuery;
}

/** "related entity data": adds attributes, latest telemetry or fields of the first entity related to the originator. */
export const relatedEntityDataNode = entityDataNode<RelatedEntityDataConfig>({
  type: 'core/related-entity-data',
  name: 'related entity data',
  description:
    'Finds an entity related to the originator by a relation query and adds its attributes, latest telemetry or fields to the message or its metadata; when several match, the first one is used.',
  thingsboardClass: 'org.thingsboard.rule.engine.metadata.TbGetRelatedAttributeNode',
  supported: ['ATTRIBUTES', 'LATEST_TELEMETRY', 'FIELDS'],
  extraProperties: { relationsQuery: relationsQuerySchema },
  defaultConfig: {
    relationsQuery: DEFAULT_RELATIONS_QUERY,
    dataMapping: { serialNumber: 'sn' },
    dataToFetch: 'ATTRIBUTES',
    fetchTo: 'METADATA',
  },
  async findEntity(msg, ctx, config) {
    const [first] = await findRelatedEntities(ctx.services, msg.originator, config.relationsQuery);
    if (!first)
      throw new Error(
        'Failed to find related entity to message originator using relation query specified in the configuration! ' +
          'Check the direction, relation type and entity types of "relationsQuery".',
      );
    return first;
  },
});
