import type { MigrationInterface, QueryRunner } from 'typeorm';
import { NULL_UUID, newId } from '../ids';
import { dialectOf, runScript, typesFor } from '../dialect';

/** name, topic, submit strategy, processing strategy of ThingsBoard's installer (pollInterval 25, 10 partitions …). */
const SYSTEM_QUEUES = [
  [
    'Main',
    'tb_rule_engine.main',
    { type: 'BURST', batchSize: 1000 },
    { type: 'SKIP_ALL_FAILURES', retries: 3, pauseBetweenRetries: 3, maxPauseBetweenRetries: 3 },
  ],
  [
    'HighPriority',
    'tb_rule_engine.hp',
    { type: 'BURST', batchSize: 100 },
    { type: 'RETRY_FAILED_AND_TIMED_OUT', retries: 0, pauseBetweenRetries: 5, maxPauseBetweenRetries: 5 },
  ],
  [
    'SequentialByOriginator',
    'tb_rule_engine.sq',
    { type: 'SEQUENTIAL_BY_ORIGINATOR', batchSize: 100 },
    { type: 'RETRY_FAILED_AND_TIMED_OUT', retries: 3, pauseBetweenRetries: 5, maxPauseBetweenRetries: 5 },
  ],
] as const;

/**
 * Entity relations, rule-engine events (debug, lifecycle, errors, statistics) and rule-engine queues with
 * ThingsBoard's three system queues.
 */
export class RelationsEventsQueues1764100000100 implements MigrationInterface {
  name = 'RelationsEventsQueues1764100000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const T = typesFor(dialectOf(queryRunner));
    await runScript(
      queryRunner,
      `
      CREATE TABLE relation (
        from_id ${T.id} NOT NULL, from_type varchar(32) NOT NULL, relation_type_group varchar(64) NOT NULL,
        relation_type varchar(255) NOT NULL, to_id ${T.id} NOT NULL, to_type varchar(32) NOT NULL,
        tenant_id ${T.id} NOT NULL, additional_info ${T.json},
        PRIMARY KEY (from_id, from_type, relation_type_group, relation_type, to_id, to_type))${T.withoutRowid};
      CREATE INDEX relation_to_idx ON relation (to_id, to_type, relation_type_group, relation_type);

      CREATE TABLE event (
        tenant_id ${T.id} NOT NULL, entity_id ${T.id} NOT NULL, event_type varchar(32) NOT NULL, ts bigint NOT NULL,
        id ${T.id} NOT NULL, entity_type varchar(32) NOT NULL, server text NOT NULL,
        e_type text, e_entity_id ${T.id}, e_entity_type varchar(32), e_msg_id ${T.id}, e_msg_type text,
        e_data_type varchar(16), e_relation_type text, e_data text, e_metadata text, e_error text,
        e_success ${T.bool}, e_method text, e_message text, e_messages_processed bigint, e_errors_occurred bigint,
        PRIMARY KEY (tenant_id, entity_id, event_type, ts, id))${T.withoutRowid};
      CREATE INDEX event_ts_idx ON event (ts);

      CREATE TABLE queue (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, tenant_id ${T.id} NOT NULL, name varchar(255) NOT NULL,
        topic varchar(255) NOT NULL, poll_interval integer NOT NULL, partitions integer NOT NULL,
        consumer_per_partition ${T.bool} NOT NULL, pack_processing_timeout bigint NOT NULL,
        submit_strategy ${T.json} NOT NULL, processing_strategy ${T.json} NOT NULL, additional_info ${T.json});
      CREATE UNIQUE INDEX queue_name_unq ON queue (tenant_id, name);
      CREATE UNIQUE INDEX queue_topic_unq ON queue (tenant_id, topic)
      `,
    );
    // ThingsBoard's system queues as its installer creates them (rest-api.md §6.2), owned by the system tenant.
    const postgres = dialectOf(queryRunner) === 'postgres';
    const createdTime = Date.now();
    for (const [name, topic, submit, processing] of SYSTEM_QUEUES) {
      await queryRunner.query(
        `INSERT INTO queue (id, created_time, tenant_id, name, topic, poll_interval, partitions, consumer_per_partition,
           pack_processing_timeout, submit_strategy, processing_strategy, additional_info)
         VALUES (${postgres ? '$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12' : '?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?'})`,
        [
          newId(),
          createdTime,
          NULL_UUID,
          name,
          topic,
          25,
          10,
          postgres ? true : 1,
          2000,
          JSON.stringify(submit),
          JSON.stringify({ failurePercentage: 0, ...processing }),
          JSON.stringify({ description: '', customProperties: '', duplicateMsgToAllPartitions: false }),
        ],
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['queue', 'event', 'relation']) await queryRunner.query(`DROP TABLE ${table}`);
  }
}
