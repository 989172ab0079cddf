import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import type { Authority } from '../core/api-models';
import { AuthService } from './auth.service';

/** Pages behind the login: without a session, go to the login page and come back afterwards. */
export const loggedInGuard: CanActivateFn = (_route, state) =>
  inject(AuthService).user() ? true : inject(Router).createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });

/** The login page: someone already logged in goes home. */
export const loggedOutGuard: CanActivateFn = () => (inject(AuthService).user() ? inject(Router).createUrlTree(['/']) : true);

/** Pages for some authorities only (route data `authorities`); others land on Home. */
export const authorityGuard: CanActivateFn = (route) => {
  const allowed = route.data['authorities'] as readonly Authority[] | undefined;
  const authority = inject(AuthService).user()?.authority;
  return !allowed || (authority !== undefined && allowed.includes(authority)) ? true : inject(Router).createUrlTree(['/']);
};
