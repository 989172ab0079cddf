import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../database/column-transformers';

/** A device's pending claim registration (device-api.md §1.10): the secret a customer must present, until when. */
@Entity('device_claim')
export class DeviceClaimEntity {
  @PrimaryColumn('uuid', { name: 'device_id' }) deviceId: string;
  @Column('text', { name: 'secret_key' }) secretKey: string;
  @Column('bigint', { name: 'expiration_time', transformer: bigintAsNumber }) expirationTime: number;
}
