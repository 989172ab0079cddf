import { createUser, expect, inviteUser, SYSADMIN, test, unique } from './fixtures';

test.describe('logging in and finding one’s way', () => {
  test('a tenant administrator logs in, stays logged in across a reload, sees what is coming, and logs out', async ({
    page,
    product,
    rest,
  }) => {
    // Its own account: logging out revokes the account's tokens everywhere, and other tests use the demo account.
    const account = await createUser(rest, 'TENANT_ADMIN');
    await page.goto(`${product.url}/devices`);
    await expect(page).toHaveURL(/\/login\?returnUrl=%2Fdevices/);

    await page.getByLabel('Email').fill(account.username);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert')).toHaveText('Invalid username or password');

    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('heading', { name: 'Devices', level: 1 })).toBeVisible();

    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    for (const name of ['Home', 'Devices', 'Alarms', 'Users', 'Customers']) await expect(nav.getByRole('link', { name })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'Tenants' })).toHaveCount(0);
    await nav.getByRole('link', { name: /Dashboards/ }).click();
    await expect(nav.getByRole('link', { name: /Dashboards/ })).toContainText('soon');
    await expect(page.getByRole('heading', { name: 'Coming soon: Dashboards' })).toBeVisible();
    await expect(page.getByText('GET/POST /api/dashboard')).toBeVisible();

    await page.reload();
    await expect(page.getByRole('heading', { name: 'Coming soon: Dashboards' })).toBeVisible();

    await page.getByRole('button', { name: 'Account' }).click();
    await expect(page.getByRole('menu')).toContainText(account.username);
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
    await page.goto(`${product.url}/home`);
    await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  });

  test('a customer user sees its devices, dashboards and alarms only, and cannot add devices', async ({ rest, logIn, page }) => {
    const customer = await rest.request('POST', '/api/customer', { title: unique('Customer') });
    const account = await createUser(rest, 'CUSTOMER_USER', customer.body.id.id);
    await logIn(account, '/devices');
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    for (const name of ['Home', 'Devices', 'Alarms', /Dashboards/]) await expect(nav.getByRole('link', { name })).toBeVisible();
    for (const name of [/Rule chains/, /Device profiles/, /Users/]) await expect(nav.getByRole('link', { name })).toHaveCount(0);
    await expect(page.getByRole('heading', { name: 'No devices yet' })).toBeVisible();
    await expect(page.getByText('Ask your tenant administrator to assign some.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Add device' })).toHaveCount(0);
  });

  test('the system administrator sees the platform, not a tenant’s devices', async ({ logIn, page }) => {
    await logIn(SYSADMIN);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await expect(nav.getByRole('link', { name: /Tenants/ })).toBeVisible();
    await expect(nav.getByRole('link', { name: /System/ })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'Devices' })).toHaveCount(0);
    await expect(page.getByText('UP', { exact: true })).toBeVisible();
  });

  test('an invited user opens the invitation link, sets a password and is logged in', async ({ page, rest }) => {
    const { username, activationLink } = await inviteUser(rest, 'TENANT_ADMIN');
    await page.goto(activationLink);
    await expect(page.getByRole('heading', { name: 'Set your password' })).toBeVisible();
    await page.getByLabel('Password', { exact: true }).fill('s3cret-pass');
    await page.getByLabel('Repeat the password').fill('s3cret-pas');
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await expect(page.getByText('The two passwords differ.')).toBeVisible();
    await page.getByLabel('Repeat the password').fill('s3cret-pass');
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await expect(page.getByRole('heading', { name: `Welcome, ${username}` })).toBeVisible();
  });
});
