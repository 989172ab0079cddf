import type { EntityId } from '@edgewise/plugin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntityDirectory } from '../src/relations/entity-directory';
import { RelationsService } from '../src/relations/relations.service';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { createCustomerUser, createSecondTenant, okBody, uniqueName } from './tenant-fixtures';

const device = (id: string): EntityId => ({ entityType: 'DEVICE', id });
const relation = (from: EntityId, to: EntityId, type = 'Contains', extra: Record<string, unknown> = {}) => ({ from, to, type, ...extra });
const keyQuery = (from: EntityId, to: EntityId, type = 'Contains') =>
  `fromId=${from.id}&fromType=${from.entityType}&relationType=${type}&toId=${to.id}&toType=${to.entityType}`;

describe('relations', () => {
  let app: TestApp;
  let api: ApiClient;
  let tenantId: string;

  const newDevice = async (prefix = 'Dev'): Promise<EntityId> => {
    const created = okBody(await api.post('/api/device', { name: uniqueName(prefix) }), 'create device');
    tenantId = created.tenantId.id;
    return device(created.id.id);
  };
  const relate = async (from: EntityId, to: EntityId, type = 'Contains') =>
    expect((await api.post('/api/relation', relation(from, to, type))).status).toBe(200);
  const queryBody = (root: EntityId, parameters: Record<string, unknown>, filters: unknown[] = []) => ({
    parameters: { rootId: root.id, rootType: root.entityType, direction: 'FROM', relationTypeGroup: 'COMMON', ...parameters },
    filters,
  });
  const farIds = (relations: any[], direction: 'FROM' | 'TO' = 'FROM') =>
    relations.map((r) => (direction === 'FROM' ? r.to.id : r.from.id)).sort();

  beforeAll(async () => {
    app = await startTestApp();
    api = await app.api.login(TENANT_ADMIN);
  });
  afterAll(() => app?.close());

  it('creates a relation and reads it back in ThingsBoard shape; saving again updates it in place', async () => {
    const [a, b] = [await newDevice('A'), await newDevice('B')];
    const created = await api.post('/api/relation', relation(a, b));
    expect(created.status).toBe(200);
    expect(created.text).toBe('');
    expect(okBody(await api.get(`/api/relation?${keyQuery(a, b)}`), 'get')).toEqual({
      from: a,
      to: b,
      type: 'Contains',
      typeGroup: 'COMMON',
      additionalInfo: null,
    });
    await api.post('/api/relation', relation(a, b, 'Contains', { additionalInfo: { note: 'second save' } }));
    const list = okBody(await api.get(`/api/relations?fromId=${a.id}&fromType=DEVICE`), 'list');
    expect(list).toEqual([{ from: a, to: b, type: 'Contains', typeGroup: 'COMMON', additionalInfo: { note: 'second save' } }]);
    const v2 = okBody(await api.post('/api/v2/relation', relation(a, b, 'Manages')), 'v2 save');
    expect(v2).toMatchObject({ from: a, to: b, type: 'Manages', typeGroup: 'COMMON' });
  });

  it('lists by direction, relation type and group, with names in the info variants', async () => {
    const [hub, x, y] = [await newDevice('Hub'), await newDevice('X'), await newDevice('Y')];
    await relate(hub, x, 'Contains');
    await relate(hub, y, 'Manages');
    await relate(y, hub, 'Contains');
    okBody(await api.post('/api/relation', relation(hub, x, 'Contains', { typeGroup: 'RULE_NODE' })), 'other group');

    expect(farIds(okBody(await api.get(`/api/relations?fromId=${hub.id}&fromType=DEVICE`), 'from'))).toEqual([x.id, y.id].sort());
    expect(farIds(okBody(await api.get(`/api/relations?fromId=${hub.id}&fromType=DEVICE&relationType=Manages`), 'typed'))).toEqual([y.id]);
    const ruleNodeGroup = okBody(await api.get(`/api/relations?fromId=${hub.id}&fromType=DEVICE&relationTypeGroup=RULE_NODE`), 'group');
    expect(ruleNodeGroup).toEqual([expect.objectContaining({ to: x, typeGroup: 'RULE_NODE' })]);
    expect(farIds(okBody(await api.get(`/api/relations?toId=${hub.id}&toType=DEVICE`), 'to'), 'TO')).toEqual([y.id]);
    expect(farIds(okBody(await api.get(`/api/relations/from/DEVICE/${hub.id}/Manages`), 'path form'))).toEqual([y.id]);

    const names = async (path: string) => okBody(await api.get(path), path)[0];
    const hubName = okBody(await api.get(`/api/device/${hub.id}`), 'hub').name;
    const yName = okBody(await api.get(`/api/device/${y.id}`), 'y').name;
    expect(await names(`/api/relations/info?toId=${hub.id}&toType=DEVICE`)).toMatchObject({ from: y, fromName: yName, toName: hubName });
    expect(await names(`/api/relations/info/from/DEVICE/${y.id}`)).toMatchObject({ to: hub, toName: hubName });
  });

  it('refuses malformed relations with ThingsBoard messages and unknown entities with 404', async () => {
    const a = await newDevice();
    const refusal = async (body: unknown) => {
      const res = await api.post('/api/relation', body);
      expect(res.status).toBe(400);
      return res.body.message as string;
    };
    expect(await refusal({ to: a, type: 'Contains' })).toBe('Relation should contain from entity!');
    expect(await refusal({ from: a, type: 'Contains' })).toBe('Relation should contain to entity!');
    expect(await refusal({ from: a, to: a })).toBe('Relation type should be specified!');
    expect(await refusal(relation(a, { entityType: 'DEVICE', id: 'abc' } as EntityId))).toBe('Invalid UUID string: abc');
    expect(await refusal(relation(a, { entityType: 'GADGET', id: a.id } as unknown as EntityId))).toMatch(/Unknown entity type 'GADGET'/);
    expect(await refusal(relation(a, { entityType: 'ASSET', id: a.id }))).toMatch(
      /^Entity type ASSET is not supported here yet: use one of/,
    );
    expect(await refusal(relation(a, a, 'Contains', { typeGroup: 'NOPE' }))).toMatch(/type group "NOPE" is not supported/);

    const ghost = device('5f0e0c3a-7b1a-11ee-9a3c-6bd8c5a6a999');
    const missing = await api.post('/api/relation', relation(a, ghost));
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe(`Device with id [${ghost.id}] is not found`);
  });

  it('deletes one relation (404 when absent), and all COMMON relations of an entity', async () => {
    const [a, b, c] = [await newDevice(), await newDevice(), await newDevice()];
    await relate(a, b);
    await relate(c, a);
    okBody(await api.post('/api/relation', relation(a, c, 'Uses', { typeGroup: 'DASHBOARD' })), 'dashboard group');

    expect((await api.delete(`/api/relation?${keyQuery(a, b)}`)).status).toBe(200);
    const again = await api.delete(`/api/relation?${keyQuery(a, b)}`);
    expect(again.status).toBe(404);
    expect(again.body.message).toBe("Requested item wasn't found!");
    expect((await api.get(`/api/relation?${keyQuery(a, b)}`)).status).toBe(404);

    expect((await api.delete(`/api/relations?entityId=${a.id}&entityType=DEVICE`)).status).toBe(200);
    expect(okBody(await api.get(`/api/relations?toId=${a.id}&toType=DEVICE`), 'to a')).toEqual([]);
    const kept = okBody(await api.get(`/api/relations?fromId=${a.id}&fromType=DEVICE&relationTypeGroup=DASHBOARD`), 'dashboard');
    expect(kept).toHaveLength(1);
  });

  it('answers EntityRelationsQuery over several levels, ends on cycles, and applies filters and last-level-only', async () => {
    const [root, mid, leaf, side] = [await newDevice('Root'), await newDevice('Mid'), await newDevice('Leaf'), await newDevice('Side')];
    await relate(root, mid);
    await relate(mid, leaf);
    await relate(leaf, root); // a cycle back to the root
    await relate(root, side, 'Manages');

    const query = async (body: unknown, path = '/api/relations') => okBody(await api.post(path, body), 'query');
    expect(farIds(await query(queryBody(root, { maxLevel: 1 })))).toEqual([mid.id, side.id].sort());
    const everything = await query(queryBody(root, { maxLevel: 0 }));
    expect(everything).toHaveLength(4);
    expect(farIds(everything)).toEqual([mid.id, leaf.id, root.id, side.id].sort());
    expect(farIds(await query(queryBody(root, { maxLevel: 2 }, [{ relationType: 'Contains', entityTypes: ['DEVICE'] }])))).toEqual(
      [mid.id, leaf.id].sort(),
    );
    expect(await query(queryBody(root, { maxLevel: 3 }, [{ relationType: 'Contains', entityTypes: ['ASSET'] }]))).toEqual([]);
    // The last level: relations found at maxLevel, and those ending at an entity nothing further relates to.
    expect(farIds(await query(queryBody(root, { maxLevel: 2, fetchLastLevelOnly: true })))).toEqual([leaf.id, side.id].sort());
    expect(farIds(await query(queryBody(leaf, { direction: 'TO', maxLevel: 1 })), 'TO')).toEqual([mid.id]);

    const infos = await query(queryBody(root, { maxLevel: 1 }, [{ relationType: 'Manages' }]), '/api/relations/info');
    expect(infos).toEqual([expect.objectContaining({ to: side, toName: okBody(await api.get(`/api/device/${side.id}`), 'side').name })]);

    const bad = await api.post('/api/relations', { parameters: { rootId: root.id, rootType: 'DEVICE', direction: 'UP' }, filters: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/direction should be FROM or TO/);
  });

  it('keeps tenants apart, and shows customer users only relations between their own entities', async () => {
    const [a, b] = [await newDevice(), await newDevice()];
    await relate(a, b);
    const sysadmin = await app.api.login(SYSADMIN);
    const { adminApi: otherTenant } = await createSecondTenant(sysadmin);
    const theirs = device(okBody(await otherTenant.post('/api/device', { name: uniqueName('theirs') }), 'their device').id.id);

    expect((await otherTenant.post('/api/relation', relation(theirs, a))).status).toBe(403);
    expect((await otherTenant.get(`/api/relations?fromId=${a.id}&fromType=DEVICE`)).status).toBe(403);
    expect((await otherTenant.get(`/api/relation?${keyQuery(a, b)}`)).status).toBe(403);
    expect((await otherTenant.post('/api/relations', queryBody(a, { maxLevel: 1 }))).status).toBe(403);

    const { customerId, userApi } = await createCustomerUser(api, uniqueName('Customer'));
    okBody(await api.post(`/api/customer/${customerId}/device/${a.id}`), 'assign a');
    // b is not the customer's: the relation a → b is left out of the customer's lists, and it may not relate to b.
    expect(okBody(await userApi.get(`/api/relations?fromId=${a.id}&fromType=DEVICE`), 'customer list')).toEqual([]);
    expect((await userApi.post('/api/relation', relation(a, b, 'Uses'))).status).toBe(403);
    const ownDevice = device(okBody(await userApi.post('/api/device', { name: uniqueName('own') }), 'own device').id.id);
    expect((await userApi.post('/api/relation', relation(a, ownDevice, 'Uses'))).status).toBe(200);
    expect(farIds(okBody(await userApi.get(`/api/relations?fromId=${a.id}&fromType=DEVICE`), 'own list'))).toEqual([ownDevice.id]);
    // The tenant admin may relate its tenant itself.
    const tenant: EntityId = { entityType: 'TENANT', id: tenantId };
    expect((await api.post('/api/relation', relation(tenant, a))).status).toBe(200);
    expect((await userApi.post('/api/relation', relation(tenant, a))).status).toBe(403);
  });

  it('removes the relations of a deleted device in both directions', async () => {
    const [a, doomed, c] = [await newDevice(), await newDevice(), await newDevice()];
    await relate(a, doomed);
    await relate(doomed, c);
    expect((await api.delete(`/api/device/${doomed.id}`)).status).toBe(200);
    await expect
      .poll(async () => okBody(await api.get(`/api/relations?fromId=${a.id}&fromType=DEVICE`), 'a').length, { timeout: 10_000 })
      .toBe(0);
    expect(okBody(await api.get(`/api/relations?toId=${c.id}&toType=DEVICE`), 'c')).toEqual([]);
  });

  it('gives rule nodes a relations API confined to one tenant', async () => {
    const [a, b, c] = [await newDevice(), await newDevice(), await newDevice()];
    const relations = app.running.app.get(RelationsService).forTenant(tenantId);
    await relations.save({ from: a, to: b, type: 'Contains', typeGroup: 'COMMON' });
    await relations.save({ from: a, to: b, type: 'Contains', typeGroup: 'COMMON', additionalInfo: { again: true } });
    await relations.save({ from: b, to: c, type: 'Contains', typeGroup: 'COMMON' });
    expect(await relations.exists(a, b, 'Contains')).toBe(true);
    expect(await relations.exists(b, a, 'Contains')).toBe(false);
    const found = await relations.find({ root: a, direction: 'FROM', maxLevel: 2 });
    expect(found).toEqual([
      { from: a, to: b, type: 'Contains', typeGroup: 'COMMON', additionalInfo: { again: true } },
      { from: b, to: c, type: 'Contains', typeGroup: 'COMMON', additionalInfo: null },
    ]);
    expect(await relations.find({ root: c, direction: 'TO', relationType: 'Manages' })).toEqual([]);
    expect(await relations.remove(b, c, 'Contains')).toBe(true);
    expect(await relations.remove(b, c, 'Contains')).toBe(false);

    const sysadmin = await app.api.login(SYSADMIN);
    const { tenantId: otherTenantId } = await createSecondTenant(sysadmin);
    await expect(
      relations.save({ from: a, to: { entityType: 'TENANT', id: otherTenantId }, type: 'X', typeGroup: 'COMMON' }),
    ).rejects.toThrow(/does not exist in this tenant/);
    await expect(relations.save({ from: a, to: { entityType: 'ASSET', id: b.id }, type: 'X', typeGroup: 'COMMON' })).rejects.toThrow(
      /ASSET entities are not supported yet/,
    );
    // Another tenant's rule engine does not see this tenant's relations.
    expect(await app.running.app.get(RelationsService).forTenant(otherTenantId).exists(a, b, 'Contains')).toBe(false);
  });

  it('relates entity types another feature registers with the directory (a table or a join)', async () => {
    const [a, b] = [await newDevice(), await newDevice('Registered')];
    const asset: EntityId = { entityType: 'ASSET', id: b.id };
    expect((await api.post('/api/relation', relation(a, asset))).status).toBe(400);
    // Stands in for a feature whose entities live in a table of their own.
    app.running.app.get(EntityDirectory).register('ASSET', { table: 'device d', id: 'd.id', name: 'd.name', tenantId: 'd.tenant_id' });
    expect((await api.post('/api/relation', relation(a, asset))).status).toBe(200);
    const infos = okBody(await api.get(`/api/relations/info?fromId=${a.id}&fromType=DEVICE`), 'infos');
    expect(infos).toEqual([expect.objectContaining({ to: asset, toName: okBody(await api.get(`/api/device/${b.id}`), 'b').name })]);
  });
});
