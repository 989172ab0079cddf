import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, typesFor } from '../dialect';

/**
 * Claim registrations devices send (device-api.md §1.10): one per device, the secret the customer must
 * present and when the registration expires. Kept out of the attribute store so the secret is never shown
 * among the device's attributes.
 */
export class DeviceClaims1764200000100 implements MigrationInterface {
  name = 'DeviceClaims1764200000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const T = typesFor(dialectOf(queryRunner));
    await queryRunner.query(
      `CREATE TABLE device_claim (device_id ${T.id} PRIMARY KEY, secret_key text NOT NULL, expiration_time bigint NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE device_claim');
  }
}
