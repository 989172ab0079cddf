import { Routes } from '@angular/router';

/** The packages (`/ota`) and where each device stands with its update (`/ota/updates?type=FIRMWARE`). */
export default [
  { path: '', title: 'Firmware (OTA) · Edgewise', loadComponent: () => import('./ota-packages.page') },
  { path: 'updates', title: 'Update status · Firmware (OTA) · Edgewise', loadComponent: () => import('./ota-updates.page') },
] satisfies Routes;
