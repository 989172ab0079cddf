import { DestroyRef, inject, Injectable, signal } from '@angular/core';

/** "Now", ticking once a second, so every relative time on screen moves together with one timer. */
@Injectable({ providedIn: 'root' })
export class Clock {
  readonly now = signal(Date.now());

  constructor() {
    const timer = setInterval(() => this.now.set(Date.now()), 1000);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }
}
