import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, runScript, typesFor } from '../dialect';

/**
 * Resources of the resource library (ThingsBoard's `resource` table): LwM2M object models (DDF XML) uploaded by the
 * system administrator (system tenant id) or a tenant. The file is kept as its Base64 text, as the API carries it.
 */
export class Resources1764200000300 implements MigrationInterface {
  name = 'Resources1764200000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    const T = typesFor(dialectOf(queryRunner));
    await runScript(
      queryRunner,
      `
      CREATE TABLE resource (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, tenant_id ${T.id} NOT NULL, title varchar(255) NOT NULL,
        resource_type varchar(32) NOT NULL, resource_key varchar(255) NOT NULL, file_name varchar(255) NOT NULL,
        search_text varchar(255), etag varchar(64) NOT NULL, data text NOT NULL);
      CREATE UNIQUE INDEX resource_unq_key ON resource (tenant_id, resource_type, resource_key);
      `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE resource');
  }
}
