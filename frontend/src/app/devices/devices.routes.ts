import { Routes } from '@angular/router';

/** The device list, and a device's page whose tabs are in the URL (`/devices/{id}/timeseries?keys=…&range=1h`). */
export default [
  { path: '', title: 'Devices · Edgewise', loadComponent: () => import('./device-list.page') },
  {
    path: ':deviceId',
    loadComponent: () => import('./device-detail.page'),
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'latest' },
      { path: 'latest', loadComponent: () => import('./tabs/latest-telemetry.tab') },
      { path: 'attributes', loadComponent: () => import('./tabs/attributes.tab') },
      { path: 'timeseries', loadComponent: () => import('./tabs/timeseries.tab') },
      { path: 'alarms', loadComponent: () => import('./tabs/device-alarms.tab') },
      { path: 'rpc', loadComponent: () => import('./tabs/rpc-console.tab') },
      { path: 'connectivity', loadComponent: () => import('./tabs/connectivity.tab') },
      { path: 'credentials', loadComponent: () => import('./tabs/credentials.tab') },
    ],
  },
] satisfies Routes;
