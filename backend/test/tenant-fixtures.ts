import { ApiClient, HttpResult } from './harness';

/** Password the fixtures give every user they activate. */
export const FIXTURE_PASSWORD = 'fixture-password';

let sequence = 0;
/** Unique per test file (each has its own database); readable in failure messages. */
export const uniqueName = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++sequence}`;

/** The body of a 200 answer; anything else fails the calling test with what the server said. */
export function okBody<T = any>(result: HttpResult<T>, what: string): T {
  if (result.status !== 200) throw new Error(`${what} failed: ${result.status} ${result.text}`);
  return result.body;
}

/** Sets the password of a just-created user through its activation link; returns a client logged in as that user. */
export async function activateUser(adminApi: ApiClient, userId: string, password = FIXTURE_PASSWORD): Promise<ApiClient> {
  const link = okBody(await adminApi.get(`/api/user/${userId}/activationLink`), 'activation link').toString();
  const activateToken = new URL(link).searchParams.get('activateToken');
  const tokens = okBody(await new ApiClient(adminApi.baseUrl).post('/api/noauth/activate', { activateToken, password }), 'activation');
  return adminApi.withToken(tokens.token);
}

/**
 * A new tenant with one tenant administrator, made through the REST API as the system administrator does.
 * @param api a client logged in as the system administrator
 * @returns the tenant's id (UUID) and a client logged in as its administrator
 */
export async function createSecondTenant(api: ApiClient): Promise<{ tenantId: string; adminApi: ApiClient }> {
  const tenant = okBody(await api.post('/api/tenant', { title: uniqueName('Tenant') }), 'create tenant');
  const admin = okBody(
    await api.post('/api/user?sendActivationMail=false', {
      authority: 'TENANT_ADMIN',
      tenantId: tenant.id,
      email: `${uniqueName('admin')}@tenant.example`,
    }),
    'create tenant admin',
  );
  return { tenantId: tenant.id.id, adminApi: await activateUser(api, admin.id.id) };
}

/**
 * A new customer of the caller's tenant with one customer user.
 * @param tenantAdminApi a client logged in as a tenant administrator
 * @returns the customer's id (UUID) and a client logged in as its user
 */
export async function createCustomerUser(
  tenantAdminApi: ApiClient,
  customerTitle: string,
): Promise<{ customerId: string; userApi: ApiClient }> {
  const customer = okBody(await tenantAdminApi.post('/api/customer', { title: customerTitle }), 'create customer');
  const user = okBody(
    await tenantAdminApi.post('/api/user?sendActivationMail=false', {
      authority: 'CUSTOMER_USER',
      customerId: customer.id,
      email: `${uniqueName('user')}@customer.example`,
    }),
    'create customer user',
  );
  return { customerId: customer.id.id, userApi: await activateUser(tenantAdminApi, user.id.id) };
}
