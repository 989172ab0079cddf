import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, runScript, typesFor } from '../dialect';

/**
 * OTA packages (the binaries live in DATA_DIR/ota, not in the database) and, per device and package type,
 * the package the device was last told to install with where its rollout stands.
 */
export class OtaPackages1764200000200 implements MigrationInterface {
  name = 'OtaPackages1764200000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    const T = typesFor(dialectOf(queryRunner));
    await runScript(
      queryRunner,
      `
      CREATE TABLE ota_package (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, tenant_id ${T.id} NOT NULL, device_profile_id ${T.id} NOT NULL,
        type varchar(32) NOT NULL, title varchar(255) NOT NULL, version varchar(255) NOT NULL, tag varchar(255),
        url varchar(255), has_data ${T.bool} NOT NULL, file_name varchar(255), content_type varchar(255),
        checksum_algorithm varchar(32), checksum varchar(1020), data_size bigint, additional_info ${T.json});
      CREATE UNIQUE INDEX ota_package_title_version_unq ON ota_package (tenant_id, title, version);
      CREATE INDEX ota_package_profile_idx ON ota_package (tenant_id, device_profile_id, type);

      CREATE TABLE ota_device_update (
        device_id ${T.id} NOT NULL, ota_type varchar(32) NOT NULL, tenant_id ${T.id} NOT NULL, ota_package_id ${T.id} NOT NULL,
        status varchar(32) NOT NULL, queued_time bigint NOT NULL, PRIMARY KEY (device_id, ota_type));
      CREATE INDEX ota_device_update_status_idx ON ota_device_update (status, queued_time);
      CREATE INDEX ota_device_update_package_idx ON ota_device_update (ota_package_id);
      `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['ota_device_update', 'ota_package']) await queryRunner.query(`DROP TABLE ${table}`);
  }
}
