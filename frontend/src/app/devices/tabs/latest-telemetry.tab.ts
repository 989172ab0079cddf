import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { follow } from '../../core/follow';
import type { TelemetryMessage } from '../../core/live-messages';
import { FlashOnChange } from '../../ui/flash-on-change';
import { RelativeTime } from '../../ui/relative-time';
import { StateMessage } from '../../ui/state-message';
import { ConnectivitySnippets } from '../connectivity-snippets';
import { DeviceContext } from '../device-context';
import { applyLatest, LiveValues } from '../live-values';

/** The newest value of every telemetry key, updating live. */
@Component({
  selector: 'ew-latest-telemetry-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatTableModule, MatProgressBar, MatButton, FlashOnChange, RelativeTime, StateMessage, ConnectivitySnippets],
  template: `
    @let state = latest.state();
    @if (state.error) {
      <ew-state-message kind="error" heading="Live telemetry is unavailable" icon="error">
        <p>{{ state.error }}</p>
        <button mat-flat-button type="button" (click)="latest.retry()">Try again</button>
      </ew-state-message>
    } @else if (!state.value) {
      <mat-progress-bar mode="indeterminate" aria-label="Loading telemetry" />
    } @else if (rows().length === 0) {
      <ew-state-message heading="No telemetry yet" icon="sensors">
        <p>Values appear here the moment the device sends them. To try it, send a value from a terminal:</p>
        <ew-connectivity-snippets class="snippets" />
      </ew-state-message>
    } @else {
      <div class="ew-card">
        <table mat-table [dataSource]="rows()" [trackBy]="byKey" aria-label="Latest telemetry">
          <ng-container matColumnDef="key">
            <th mat-header-cell *matHeaderCellDef>Key</th>
            <td mat-cell *matCellDef="let row" class="ew-mono">{{ row.key }}</td>
          </ng-container>
          <ng-container matColumnDef="value">
            <th mat-header-cell *matHeaderCellDef>Value</th>
            <td mat-cell *matCellDef="let row" class="value ew-number" [ewFlashOnChange]="row.ts">{{ row.value }}</td>
          </ng-container>
          <ng-container matColumnDef="ts">
            <th mat-header-cell *matHeaderCellDef>Updated</th>
            <td mat-cell *matCellDef="let row"><ew-relative-time [ts]="row.ts" /></td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns"></tr>
          <tr mat-row *matRowDef="let row; columns: columns"></tr>
        </table>
      </div>
    }
  `,
  styles: `
    table {
      width: 100%;
    }
    .value {
      font-weight: 500;
      word-break: break-all;
    }
    .snippets {
      width: 100%;
      text-align: left;
    }
  `,
})
export default class LatestTelemetryTab {
  private readonly context = inject(DeviceContext);
  protected readonly columns = ['key', 'value', 'ts'];
  /** Rows stay in place as values change, so each value can flash. */
  protected readonly byKey = (_index: number, row: { key: string }) => row.key;
  protected readonly latest = follow<string, TelemetryMessage, LiveValues>(
    this.context.deviceId,
    (entityId) => ({ type: 'TIMESERIES', entityType: 'DEVICE', entityId, scope: 'LATEST_TELEMETRY' }),
    applyLatest,
  );
  protected readonly rows = computed(() =>
    [...(this.latest.state().value ?? new Map())].map(([key, { ts, value }]) => ({ key, ts, value })),
  );
}
