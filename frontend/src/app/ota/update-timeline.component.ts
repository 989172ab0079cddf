import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIcon } from '@angular/material/icon';
import { MatProgressBar } from '@angular/material/progress-bar';
import { follow } from '../core/follow';
import type { TelemetryMessage } from '../core/live-messages';
import { RelativeTime } from '../ui/relative-time';
import type { OtaPackageType } from './ota.api';
import { applyUpdateHistory, timelineKeys, UpdateHistory, updateTimeline } from './update-timeline';

/** Reported states are read back this far before the device was queued, in case clocks differ a little. */
const CLOCK_SLACK_MS = 60_000;

const ICONS = { done: 'check_circle', current: 'pending', pending: 'radio_button_unchecked', failed: 'error' } as const;
/** What the icons say, for screen readers. */
const WORDS = { done: 'done', current: 'now', pending: 'to come', failed: 'failed' } as const;

/** One device's update as a live timeline: its state history since it was queued, then every state it reports. */
@Component({
  selector: 'ew-update-timeline',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatIcon, MatProgressBar, RelativeTime],
  template: `
    @let history = live.state();
    @if (history.error) {
      <p class="ew-banner ew-banner-error" role="alert">
        The states could not be followed: {{ history.error }}
        <button type="button" (click)="live.retry()">Try again</button>
      </p>
    } @else if (!history.value) {
      <mat-progress-bar mode="indeterminate" [attr.aria-label]="'Loading the update of ' + deviceName()" />
    } @else {
      <ol [attr.aria-label]="'Update of ' + deviceName()">
        @for (step of steps(); track step.state) {
          <li [class]="step.kind" [attr.aria-current]="step.kind === 'current' ? 'step' : null">
            <mat-icon aria-hidden="true">{{ icons[step.kind] }}</mat-icon>
            <span class="state">{{ step.state }}</span>
            <span class="cdk-visually-hidden">{{ words[step.kind] }}</span>
            @if (step.ts) {
              <ew-relative-time class="ew-muted" [ts]="step.ts" />
            }
            @if (step.reason) {
              <span class="reason">{{ step.reason }}</span>
            }
          </li>
        }
      </ol>
    }
  `,
  styles: `
    ol {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 16px;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    li {
      display: flex;
      align-items: center;
      gap: 4px;
      font: var(--mat-sys-label-medium);
    }
    li.pending {
      color: var(--mat-sys-outline);
    }
    li.done mat-icon {
      color: #2e7d32;
    }
    li.current mat-icon {
      color: var(--mat-sys-primary);
    }
    li.failed {
      color: var(--mat-sys-error);
    }
    mat-icon {
      width: 18px;
      height: 18px;
      font-size: 18px;
    }
    .state {
      font-weight: 500;
    }
    .reason {
      font-style: italic;
    }
  `,
})
export class UpdateTimeline {
  readonly deviceId = input.required<string>();
  readonly deviceName = input.required<string>();
  readonly type = input.required<OtaPackageType>();
  /** When the device was queued for its current package: the timeline starts there. */
  readonly since = input.required<number>();
  protected readonly icons = ICONS;
  protected readonly words = WORDS;

  protected readonly live = follow<{ entityId: string; type: OtaPackageType; since: number }, TelemetryMessage, UpdateHistory>(
    () => ({ entityId: this.deviceId(), type: this.type(), since: this.since() }),
    ({ entityId, type, since }) => {
      const keys = timelineKeys(type);
      const startTs = since - CLOCK_SLACK_MS;
      return {
        type: 'TIMESERIES',
        entityType: 'DEVICE',
        entityId,
        keys: `${keys.state},${keys.error}`,
        startTs,
        timeWindow: Date.now() + CLOCK_SLACK_MS - startTs,
        agg: 'NONE',
        limit: 1000,
      };
    },
    (history, update) => applyUpdateHistory(this.type())(history, update),
  );
  protected readonly steps = computed(() => {
    const history = this.live.state().value;
    return history ? updateTimeline(history) : [];
  });
}
