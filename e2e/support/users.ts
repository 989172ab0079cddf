import { expect } from 'vitest';
import { type RestClient, restClient } from './product.mjs';

/**
 * A user created without activation mail and activated through its activation link, as an administrator and the
 * user do it (`creator`: the system administrator for a tenant administrator, a tenant administrator for a customer
 * user); returns a REST client logged in as that user.
 */
export async function activatedUser(
  url: string,
  creator: RestClient,
  user: { authority: 'TENANT_ADMIN' | 'CUSTOMER_USER'; email: string; tenantId?: unknown; customerId?: unknown },
  password: string,
): Promise<RestClient> {
  const created = await creator.request('POST', '/api/user?sendActivationMail=false', user);
  const link = (await creator.request('GET', `/api/user/${created.body.id.id}/activationLink`)).text;
  const activated = await fetch(`${url}/api/noauth/activate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ activateToken: new URL(link).searchParams.get('activateToken'), password }),
  });
  expect(activated.status).toBe(200);
  return restClient(url, { username: user.email, password });
}

/** A customer of `admin`'s tenant titled `title`, with one activated user logged in as `rest`. */
export async function customerWithUser(url: string, admin: RestClient, title: string): Promise<{ id: string; rest: RestClient }> {
  const customer = await admin.request('POST', '/api/customer', { title });
  const email = `${title.toLowerCase()}@customers.example`;
  const rest = await activatedUser(url, admin, { authority: 'CUSTOMER_USER', customerId: customer.body.id, email }, 'customer-password');
  return { id: customer.body.id.id as string, rest };
}
