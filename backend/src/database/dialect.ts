import type { DataSource, QueryRunner } from 'typeorm';

export type Dialect = 'sqlite' | 'postgres';

export const dialectOf = (source: DataSource | QueryRunner): Dialect => {
  const type = ('connection' in source ? source.connection : source).options.type;
  return type === 'postgres' ? 'postgres' : 'sqlite';
};

/** Column types that differ between the two databases; migrations write `${T.id}` etc. */
const TYPES = {
  sqlite: { id: 'varchar(36)', json: 'text', bool: 'boolean', double: 'real', withoutRowid: ' WITHOUT ROWID' },
  postgres: { id: 'uuid', json: 'text', bool: 'boolean', double: 'double precision', withoutRowid: '' },
} as const;

export const typesFor = (dialect: Dialect) => TYPES[dialect];

/** Runs each statement of a DDL script in order (SQLite drivers take one statement per call). */
export async function runScript(queryRunner: QueryRunner, script: string): Promise<void> {
  for (const statement of script
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    await queryRunner.query(statement);
  }
}
