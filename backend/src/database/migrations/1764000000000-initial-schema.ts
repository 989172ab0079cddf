import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, runScript, typesFor } from '../dialect';

/** Tenants, customers, users, device profiles, devices, credentials, attributes, timeseries, audit log. */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const T = typesFor(dialectOf(queryRunner));
    await runScript(
      queryRunner,
      `
      CREATE TABLE tenant (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, title varchar(255) NOT NULL, region varchar(255),
        email varchar(255), phone varchar(255), country varchar(255), state varchar(255), city varchar(255),
        address varchar(255), address2 varchar(255), zip varchar(255), additional_info ${T.json}, version bigint NOT NULL);

      CREATE TABLE customer (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, tenant_id ${T.id} NOT NULL, title varchar(255) NOT NULL,
        email varchar(255), phone varchar(255), country varchar(255), state varchar(255), city varchar(255),
        address varchar(255), address2 varchar(255), zip varchar(255), additional_info ${T.json}, version bigint NOT NULL);
      CREATE UNIQUE INDEX customer_title_unq ON customer (tenant_id, title);

      CREATE TABLE tb_user (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, tenant_id ${T.id} NOT NULL, customer_id ${T.id} NOT NULL,
        email varchar(255) NOT NULL, authority varchar(32) NOT NULL, first_name varchar(255), last_name varchar(255),
        phone varchar(255), additional_info ${T.json}, version bigint NOT NULL);
      CREATE UNIQUE INDEX tb_user_email_unq ON tb_user (email);
      CREATE INDEX tb_user_tenant_idx ON tb_user (tenant_id, customer_id);

      CREATE TABLE user_credentials (
        user_id ${T.id} PRIMARY KEY, password_hash varchar(255), enabled ${T.bool} NOT NULL,
        activate_token varchar(255), activate_token_expires bigint, last_login_ts bigint,
        token_generation integer NOT NULL DEFAULT 0);
      CREATE UNIQUE INDEX user_credentials_activate_token_unq ON user_credentials (activate_token);

      CREATE TABLE device_profile (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, tenant_id ${T.id} NOT NULL, name varchar(255) NOT NULL,
        description text, image text, type varchar(32) NOT NULL, transport_type varchar(32) NOT NULL,
        provision_type varchar(64) NOT NULL, provision_device_key varchar(255), is_default ${T.bool} NOT NULL,
        default_rule_chain_id ${T.id}, default_dashboard_id ${T.id}, default_queue_name varchar(255),
        default_edge_rule_chain_id ${T.id}, firmware_id ${T.id}, software_id ${T.id}, external_id ${T.id},
        profile_data ${T.json} NOT NULL, version bigint NOT NULL);
      CREATE UNIQUE INDEX device_profile_name_unq ON device_profile (tenant_id, name);
      CREATE UNIQUE INDEX device_profile_provision_key_unq ON device_profile (provision_device_key);

      CREATE TABLE device (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, tenant_id ${T.id} NOT NULL, customer_id ${T.id} NOT NULL,
        name varchar(255) NOT NULL, type varchar(255) NOT NULL, label varchar(255), device_profile_id ${T.id} NOT NULL,
        device_data ${T.json}, firmware_id ${T.id}, software_id ${T.id}, external_id ${T.id}, additional_info ${T.json},
        version bigint NOT NULL);
      CREATE UNIQUE INDEX device_name_unq ON device (tenant_id, name);
      CREATE INDEX device_customer_idx ON device (tenant_id, customer_id);
      CREATE INDEX device_profile_idx ON device (device_profile_id);

      CREATE TABLE device_credentials (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, device_id ${T.id} NOT NULL,
        credentials_type varchar(32) NOT NULL, credentials_id varchar(255) NOT NULL, credentials_value text,
        version bigint NOT NULL);
      CREATE UNIQUE INDEX device_credentials_id_unq ON device_credentials (credentials_id);
      CREATE UNIQUE INDEX device_credentials_device_unq ON device_credentials (device_id);

      CREATE TABLE attribute_kv (
        entity_id ${T.id} NOT NULL, attribute_scope varchar(16) NOT NULL, attribute_key varchar(255) NOT NULL,
        bool_v ${T.bool}, str_v text, long_v bigint, dbl_v ${T.double}, json_v ${T.json}, last_update_ts bigint NOT NULL,
        PRIMARY KEY (entity_id, attribute_scope, attribute_key))${T.withoutRowid};

      CREATE TABLE ts_kv_dictionary (key varchar(255) NOT NULL PRIMARY KEY, key_id integer NOT NULL);
      CREATE UNIQUE INDEX ts_kv_dictionary_id_unq ON ts_kv_dictionary (key_id);

      CREATE TABLE ts_kv (
        entity_id ${T.id} NOT NULL, key integer NOT NULL, ts bigint NOT NULL,
        bool_v ${T.bool}, str_v text, long_v bigint, dbl_v ${T.double}, json_v ${T.json},
        PRIMARY KEY (entity_id, key, ts))${T.withoutRowid};

      CREATE TABLE ts_kv_latest (
        entity_id ${T.id} NOT NULL, key integer NOT NULL, ts bigint NOT NULL,
        bool_v ${T.bool}, str_v text, long_v bigint, dbl_v ${T.double}, json_v ${T.json},
        PRIMARY KEY (entity_id, key))${T.withoutRowid};

      CREATE TABLE rpc (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, tenant_id ${T.id} NOT NULL, device_id ${T.id} NOT NULL,
        expiration_time bigint NOT NULL, request ${T.json} NOT NULL, response ${T.json}, status varchar(16) NOT NULL,
        additional_info ${T.json});
      CREATE INDEX rpc_device_idx ON rpc (device_id, created_time);

      CREATE TABLE audit_log (
        id ${T.id} PRIMARY KEY, created_time bigint NOT NULL, tenant_id ${T.id} NOT NULL, customer_id ${T.id} NOT NULL,
        entity_type varchar(32), entity_id ${T.id}, entity_name varchar(255), user_id ${T.id}, user_name varchar(255),
        action_type varchar(64) NOT NULL, action_data ${T.json}, action_status varchar(16) NOT NULL, action_failure_details text);
      CREATE INDEX audit_log_tenant_time_idx ON audit_log (tenant_id, created_time);
      CREATE INDEX audit_log_entity_idx ON audit_log (tenant_id, entity_type, entity_id)
      `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'audit_log',
      'rpc',
      'ts_kv_latest',
      'ts_kv',
      'ts_kv_dictionary',
      'attribute_kv',
      'device_credentials',
      'device',
      'device_profile',
      'user_credentials',
      'tb_user',
      'customer',
      'tenant',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
