import { HttpErrorResponse, HttpInterceptorFn, HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, from, switchMap, throwError } from 'rxjs';
import { AuthService } from './auth.service';

/** API calls that work without a session (logging in, renewing, accepting an invitation): sent as they are. */
const PUBLIC_API = /^\/api\/(noauth\/|auth\/(login|token)$)/;

const withToken = (request: HttpRequest<unknown>, token: string) => request.clone({ setHeaders: { 'X-Authorization': `Bearer ${token}` } });

/**
 * Sends the access token (ThingsBoard's `X-Authorization: Bearer …`) with every API call. A token that
 * expires soon is renewed first; a call refused with 401 (the token expired in flight) is retried once
 * with a renewed token, and when renewing is refused the session ends (the shell then shows the login page).
 */
export const authInterceptor: HttpInterceptorFn = (request, next) => {
  if (!request.url.startsWith('/api/') || PUBLIC_API.test(request.url)) return next(request);
  const auth = inject(AuthService);
  return from(auth.validToken()).pipe(
    switchMap((token) =>
      next(withToken(request, token)).pipe(
        catchError((error: unknown) =>
          error instanceof HttpErrorResponse && error.status === 401
            ? from(auth.refresh()).pipe(switchMap((renewed) => next(withToken(request, renewed))))
            : throwError(() => error),
        ),
      ),
    ),
  );
};
