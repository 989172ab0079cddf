import { Routes } from '@angular/router';
import { authorityGuard, loggedInGuard, loggedOutGuard } from './auth/auth.guards';
import { NAV_ITEMS } from './shell/navigation';

const authorities = (path: string) => NAV_ITEMS.find((item) => item.path === path)!.authorities;

/** Pages of the navigation that are not built yet: each says what it will do and what to use meanwhile. */
const comingSoon: Routes = NAV_ITEMS.filter((item) => item.comingSoon).map((item) => ({
  path: item.path,
  title: `${item.label} · Edgewise`,
  canActivate: [authorityGuard],
  data: { authorities: item.authorities, item },
  loadComponent: () => import('./shell/coming-soon.page'),
}));

export const routes: Routes = [
  { path: 'login', title: 'Log in · Edgewise', canActivate: [loggedOutGuard], loadComponent: () => import('./auth/login.page') },
  // Where the server's invitation links lead (GET /api/noauth/activate redirects here).
  { path: 'login/createPassword', title: 'Set your password · Edgewise', loadComponent: () => import('./auth/create-password.page') },
  { path: 'activationLinkExpired', title: 'Invitation expired · Edgewise', loadComponent: () => import('./auth/activation-expired.page') },
  {
    path: '',
    canActivate: [loggedInGuard],
    loadComponent: () => import('./shell/shell'),
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'home' },
      { path: 'home', title: 'Home · Edgewise', loadComponent: () => import('./home/home.page') },
      {
        path: 'devices',
        canActivate: [authorityGuard],
        data: { authorities: authorities('devices') },
        loadChildren: () => import('./devices/devices.routes'),
      },
      {
        path: 'alarms',
        title: 'Alarms · Edgewise',
        canActivate: [authorityGuard],
        data: { authorities: authorities('alarms') },
        loadComponent: () => import('./alarms/alarms.page'),
      },
      {
        path: 'rule-chains',
        canActivate: [authorityGuard],
        data: { authorities: authorities('rule-chains') },
        loadChildren: () => import('./rule-chains/rule-chains.routes'),
      },
      {
        path: 'gateways',
        title: 'Gateways · Edgewise',
        canActivate: [authorityGuard],
        data: { authorities: authorities('gateways') },
        loadComponent: () => import('./gateways/gateways.page'),
      },
      {
        path: 'ota',
        canActivate: [authorityGuard],
        data: { authorities: authorities('ota') },
        loadChildren: () => import('./ota/ota.routes'),
      },
      ...comingSoon,
      { path: '**', title: 'Not found · Edgewise', loadComponent: () => import('./shell/not-found.page') },
    ],
  },
];
