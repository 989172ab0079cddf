import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, runScript, typesFor } from '../dialect';

/** Alarms, the entities each alarm shows on (originator, owner, tenant, related entities), and alarm comments. */
export class Alarms1764100000000 implements MigrationInterface {
  name = 'Alarms1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const T = typesFor(dialectOf(queryRunner));
    await runScript(
      queryRunner,
      `
      CREATE TABLE alarm (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, tenant_id ${T.id} NOT NULL, customer_id ${T.id},
        type varchar(255) NOT NULL, originator_type varchar(32) NOT NULL, originator_id ${T.id} NOT NULL,
        severity varchar(16) NOT NULL, acknowledged ${T.bool} NOT NULL, cleared ${T.bool} NOT NULL,
        start_ts bigint NOT NULL, end_ts bigint NOT NULL, ack_ts bigint NOT NULL, clear_ts bigint NOT NULL,
        assignee_id ${T.id}, assign_ts bigint NOT NULL, details ${T.json},
        propagate ${T.bool} NOT NULL, propagate_to_owner ${T.bool} NOT NULL, propagate_to_tenant ${T.bool} NOT NULL,
        propagate_relation_types ${T.json});
      CREATE UNIQUE INDEX alarm_active_unq ON alarm (originator_id, type) WHERE cleared = false;
      CREATE INDEX alarm_tenant_created_idx ON alarm (tenant_id, created_time);
      CREATE INDEX alarm_customer_created_idx ON alarm (tenant_id, customer_id, created_time);
      CREATE INDEX alarm_assignee_idx ON alarm (assignee_id);

      CREATE TABLE entity_alarm (
        entity_id ${T.id} NOT NULL, alarm_id ${T.id} NOT NULL, tenant_id ${T.id} NOT NULL, entity_type varchar(32) NOT NULL,
        created_time bigint NOT NULL, alarm_type varchar(255) NOT NULL, customer_id ${T.id},
        PRIMARY KEY (entity_id, alarm_id));
      CREATE INDEX entity_alarm_entity_created_idx ON entity_alarm (tenant_id, entity_id, created_time);
      CREATE INDEX entity_alarm_alarm_idx ON entity_alarm (alarm_id);

      CREATE TABLE alarm_comment (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, alarm_id ${T.id} NOT NULL, user_id ${T.id},
        type varchar(16) NOT NULL, comment ${T.json} NOT NULL);
      CREATE INDEX alarm_comment_alarm_idx ON alarm_comment (alarm_id, created_time)
      `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['alarm_comment', 'entity_alarm', 'alarm']) await queryRunner.query(`DROP TABLE ${table}`);
  }
}
