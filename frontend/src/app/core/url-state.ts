import { inject, Signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, ParamMap, Params, Router } from '@angular/router';

export interface UrlState {
  /** The page's query parameters: what is on screen (filters, sort, page, time range), so it can be shared and reloaded. */
  readonly params: Signal<ParamMap>;
  /** Changes some parameters; `null` removes one. Typing in a search box replaces the history entry instead of adding one. */
  patch(changes: Params, options?: { replaceUrl?: boolean }): void;
}

/** The query parameters of the current route as a signal, and a way to change them. Call in an injection context. */
export function urlState(): UrlState {
  const route = inject(ActivatedRoute);
  const router = inject(Router);
  return {
    params: toSignal(route.queryParamMap, { requireSync: true }),
    patch: (changes, options = {}) =>
      void router.navigate([], { relativeTo: route, queryParams: changes, queryParamsHandling: 'merge', replaceUrl: options.replaceUrl }),
  };
}

/** A comma-separated list parameter, keeping only known values. */
export function listParam<T extends string>(params: ParamMap, name: string, allowed: readonly T[]): T[] {
  return (params.get(name) ?? '').split(',').filter((value): value is T => (allowed as readonly string[]).includes(value));
}

/** A whole-number parameter at least `min`, else the fallback. */
export function intParam(params: ParamMap, name: string, fallback: number, min = 0): number {
  const value = Number(params.get(name));
  return params.has(name) && Number.isInteger(value) && value >= min ? value : fallback;
}
