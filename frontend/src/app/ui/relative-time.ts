import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { Clock } from './clock';

const UNITS: [limitMs: number, unitMs: number, unit: string][] = [
  [60_000, 1_000, 's'],
  [3_600_000, 60_000, 'min'],
  [86_400_000, 3_600_000, 'h'],
  [Infinity, 86_400_000, 'd'],
];

/** "just now", "12 s ago", "5 min ago", "3 h ago", "2 d ago" (and "in 10 s" for the future). */
export function relativeTime(ts: number, now: number): string {
  const delta = now - ts;
  const size = Math.abs(delta);
  if (size < 5_000) return 'just now';
  const [, unitMs, unit] = UNITS.find(([limit]) => size < limit)!;
  const amount = Math.floor(size / unitMs);
  return delta >= 0 ? `${amount} ${unit} ago` : `in ${amount} ${unit}`;
}

/** The absolute local date and time, as the hover text of relative times. */
export const absoluteTime = (ts: number) => new Date(ts).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A timestamp shown relative to now, with the absolute time on hover; `—` when there is none (0 or null). */
@Component({
  selector: 'ew-relative-time',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `@if (ts()) {
      <time [attr.datetime]="iso()" [title]="absolute()">{{ relative() }}</time>
    } @else {
      <span aria-label="never">—</span>
    }`,
})
export class RelativeTime {
  private readonly clock = inject(Clock);
  readonly ts = input<number | null | undefined>();
  protected readonly relative = computed(() => relativeTime(this.ts()!, this.clock.now()));
  protected readonly absolute = computed(() => absoluteTime(this.ts()!));
  protected readonly iso = computed(() => new Date(this.ts()!).toISOString());
}
