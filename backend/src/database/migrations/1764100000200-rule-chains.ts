import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, runScript, typesFor } from '../dialect';

/**
 * Rule chains: the chain header, its nodes (ids are what debug events and the editor refer to), and every
 * saved version of the graph (restorable).
 */
export class RuleChains1764100000200 implements MigrationInterface {
  name = 'RuleChains1764100000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    const T = typesFor(dialectOf(queryRunner));
    await runScript(
      queryRunner,
      `
      CREATE TABLE rule_chain (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, tenant_id ${T.id} NOT NULL, name varchar(255) NOT NULL,
        type varchar(32) NOT NULL, root ${T.bool} NOT NULL, debug_mode ${T.bool} NOT NULL, first_rule_node_id ${T.id},
        configuration ${T.json}, additional_info ${T.json}, external_id ${T.id},
        connections ${T.json}, notes ${T.json}, version bigint NOT NULL);
      CREATE INDEX rule_chain_tenant_idx ON rule_chain (tenant_id, type);

      CREATE TABLE rule_node (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, rule_chain_id ${T.id} NOT NULL, type varchar(255) NOT NULL,
        name varchar(255) NOT NULL, configuration_version integer NOT NULL, configuration ${T.json} NOT NULL,
        debug_settings ${T.json}, singleton_mode ${T.bool} NOT NULL, queue_name varchar(255), additional_info ${T.json},
        external_id ${T.id}, position integer NOT NULL);
      CREATE INDEX rule_node_chain_idx ON rule_node (rule_chain_id, position);

      CREATE TABLE rule_chain_version (
        rule_chain_id ${T.id} NOT NULL, version bigint NOT NULL, created_time bigint NOT NULL, user_id ${T.id},
        metadata ${T.json} NOT NULL, PRIMARY KEY (rule_chain_id, version));
      `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['rule_chain_version', 'rule_node', 'rule_chain']) await queryRunner.query(`DROP TABLE ${table}`);
  }
}
