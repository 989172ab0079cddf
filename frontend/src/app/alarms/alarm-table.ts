import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatSort, MatSortHeader, Sort, SortDirection } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import type { AlarmInfo, AlarmStatus } from '../core/api-models';
import { RelativeTime } from '../ui/relative-time';

const STATUS_TEXT: Record<AlarmStatus, string> = {
  ACTIVE_UNACK: 'Active, unacknowledged',
  ACTIVE_ACK: 'Active, acknowledged',
  CLEARED_UNACK: 'Cleared, unacknowledged',
  CLEARED_ACK: 'Cleared',
};

/** A list of alarms with their severity, device, status and age, and buttons to acknowledge and clear them. */
@Component({
  selector: 'ew-alarm-table',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatTableModule, MatSort, MatSortHeader, MatButton, RouterLink, RelativeTime],
  templateUrl: './alarm-table.html',
  styleUrl: './alarm-table.scss',
})
export class AlarmTable {
  readonly alarms = input.required<readonly AlarmInfo[]>();
  readonly showDevice = input(true);
  readonly canAct = input(true);
  readonly sortable = input(false);
  readonly sortActive = input('createdTime');
  readonly sortDirection = input<SortDirection>('desc');
  /** An alarm whose acknowledge or clear request is on its way (its buttons are disabled meanwhile). */
  readonly busyId = input<string | null>(null);

  readonly acknowledge = output<AlarmInfo>();
  readonly clear = output<AlarmInfo>();
  readonly sortChange = output<Sort>();

  protected readonly columns = computed(() => [
    'severity',
    'type',
    ...(this.showDevice() ? ['originator'] : []),
    'status',
    'createdTime',
    ...(this.canAct() ? ['actions'] : []),
  ]);
  protected statusOf(alarm: AlarmInfo): string {
    return STATUS_TEXT[alarm.status];
  }
}
