import { EntityManager, FindOptionsWhere, In } from 'typeorm';
import { UserCredentialsEntity, UserEntity } from './user.entity';

/** Deletes the matching users with their credentials; their tokens stop working, as those need credentials. */
export async function deleteUsers(manager: EntityManager, where: FindOptionsWhere<UserEntity>): Promise<void> {
  const ids = (await manager.getRepository(UserEntity).find({ where, select: { id: true } })).map((user) => user.id);
  if (ids.length === 0) return;
  await manager.getRepository(UserCredentialsEntity).delete({ userId: In(ids) });
  await manager.getRepository(UserEntity).delete({ id: In(ids) });
}
