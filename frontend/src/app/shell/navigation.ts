import type { Authority } from '../core/api-models';

export interface NavItem {
  label: string;
  icon: string;
  path: string;
  authorities: readonly Authority[];
  group: 'main' | 'settings';
  /** Not built yet: the entry shows, marked "soon", and leads to a page saying what to use meanwhile. */
  comingSoon?: { summary: string; meanwhile: string };
}

const ALL: readonly Authority[] = ['SYS_ADMIN', 'TENANT_ADMIN', 'CUSTOMER_USER'];
const TENANT: readonly Authority[] = ['TENANT_ADMIN'];
const TENANT_AND_CUSTOMER: readonly Authority[] = ['TENANT_ADMIN', 'CUSTOMER_USER'];

/**
 * The left navigation (ui.md "Shape"), per authority: a platform operator (SYS_ADMIN) manages tenants and the
 * system, a tenant administrator everything of the tenant, a customer user sees its devices, dashboards and alarms.
 * Pages that are not built yet stay visible, marked as coming, so the shape of the product is clear.
 */
export const NAV_ITEMS: readonly NavItem[] = [
  { label: 'Home', icon: 'home', path: 'home', authorities: ALL, group: 'main' },
  {
    label: 'Tenants',
    icon: 'domain',
    path: 'tenants',
    authorities: ['SYS_ADMIN'],
    group: 'main',
    comingSoon: { summary: 'Create tenants and their administrators.', meanwhile: 'GET/POST /api/tenants and /api/tenant' },
  },
  { label: 'Devices', icon: 'memory', path: 'devices', authorities: TENANT_AND_CUSTOMER, group: 'main' },
  {
    label: 'Device profiles',
    icon: 'tune',
    path: 'device-profiles',
    authorities: TENANT,
    group: 'main',
    comingSoon: {
      summary: 'Transport settings, alarm rules, provisioning and firmware per kind of device.',
      meanwhile: 'GET/POST /api/deviceProfile and /api/deviceProfiles',
    },
  },
  {
    label: 'Gateways',
    icon: 'router',
    path: 'gateways',
    authorities: TENANT,
    group: 'main',
  },
  {
    label: 'Dashboards',
    icon: 'dashboard',
    path: 'dashboards',
    authorities: TENANT_AND_CUSTOMER,
    group: 'main',
    comingSoon: {
      summary: 'Charts, tables and maps of your devices, shared with customers.',
      meanwhile: 'the Timeseries tab of a device, and GET/POST /api/dashboard',
    },
  },
  {
    label: 'Rule chains',
    icon: 'account_tree',
    path: 'rule-chains',
    authorities: TENANT,
    group: 'main',
  },
  { label: 'Alarms', icon: 'notifications', path: 'alarms', authorities: TENANT_AND_CUSTOMER, group: 'main' },
  {
    label: 'Firmware (OTA)',
    icon: 'system_update',
    path: 'ota',
    authorities: TENANT,
    group: 'main',
  },
  {
    label: 'Plugins',
    icon: 'extension',
    path: 'plugins',
    authorities: ['SYS_ADMIN', 'TENANT_ADMIN'],
    group: 'main',
    comingSoon: { summary: 'Install and update rule-node and transport plugins.', meanwhile: 'the plugin CLI described in the README' },
  },
  {
    label: 'Users',
    icon: 'group',
    path: 'settings/users',
    authorities: ['SYS_ADMIN', 'TENANT_ADMIN'],
    group: 'settings',
    comingSoon: { summary: 'Invite users and manage their access.', meanwhile: 'GET/POST /api/user and /api/users' },
  },
  {
    label: 'Customers',
    icon: 'business',
    path: 'settings/customers',
    authorities: TENANT,
    group: 'settings',
    comingSoon: {
      summary: 'Customers, their users and the devices assigned to them.',
      meanwhile: 'GET/POST /api/customer and POST /api/customer/{customerId}/device/{deviceId}',
    },
  },
  {
    label: 'Queues',
    icon: 'view_agenda',
    path: 'settings/queues',
    authorities: ['SYS_ADMIN', 'TENANT_ADMIN'],
    group: 'settings',
    comingSoon: { summary: 'Rule-engine queues and their processing strategies.', meanwhile: 'GET /api/queues?serviceType=TB_RULE_ENGINE' },
  },
  {
    label: 'System',
    icon: 'settings',
    path: 'settings/system',
    authorities: ['SYS_ADMIN'],
    group: 'settings',
    comingSoon: {
      summary: 'Health, disk and telemetry volume, retention and general settings.',
      meanwhile: 'GET /api/health and the settings in the README',
    },
  },
];

export const navItemsFor = (authority: Authority): NavItem[] => NAV_ITEMS.filter((item) => item.authorities.includes(authority));
