import { SelectionModel } from '@angular/cdk/collections';
import { ChangeDetectionStrategy, Component, computed, effect, inject, signal, untracked } from '@angular/core';
import { MatButton, MatIconButton } from '@angular/material/button';
import { MatButtonToggle, MatButtonToggleGroup } from '@angular/material/button-toggle';
import { MatCheckbox } from '@angular/material/checkbox';
import { MatDialog } from '@angular/material/dialog';
import { MatIcon } from '@angular/material/icon';
import { MatMenu, MatMenuContent, MatMenuItem, MatMenuTrigger } from '@angular/material/menu';
import { MatPaginator, PageEvent } from '@angular/material/paginator';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatSort, MatSortHeader, Sort } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { Router, RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../auth/auth.service';
import { describeError } from '../core/api-error';
import type { Device, DeviceInfo } from '../core/api-models';
import { loader } from '../core/loader';
import { intParam, urlState } from '../core/url-state';
import { confirmAction } from '../ui/confirm-dialog';
import { RelativeTime } from '../ui/relative-time';
import { SearchBox } from '../ui/search-box';
import { StateMessage } from '../ui/state-message';
import { RefreshError, TableState } from '../ui/table-state';
import { DeviceDialog } from './device-dialog';
import { DevicesApi } from './devices.api';

/** Columns the API sorts by (device-api.md §8.4), keyed by column name. */
const SORTABLE = ['name', 'label', 'deviceProfileName', 'customerTitle', 'createdTime'] as const;
type SortColumn = (typeof SORTABLE)[number];
const PAGE_SIZES = [20, 50, 100];

const nameList = (devices: readonly { name: string }[]) =>
  devices.length <= 5
    ? devices.map((d) => d.name).join(', ')
    : `${devices
        .slice(0, 5)
        .map((d) => d.name)
        .join(', ')} and ${devices.length - 5} more`;

/** All devices: search, sort, page (all in the URL), add, edit, delete (also several at once). */
@Component({
  selector: 'ew-device-list-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterLink,
    MatTableModule,
    MatSort,
    MatSortHeader,
    MatPaginator,
    MatCheckbox,
    MatButton,
    MatIconButton,
    MatIcon,
    MatMenu,
    MatMenuContent,
    MatMenuItem,
    MatMenuTrigger,
    MatButtonToggleGroup,
    MatButtonToggle,
    SearchBox,
    StateMessage,
    TableState,
    RefreshError,
    RelativeTime,
  ],
  templateUrl: './device-list.page.html',
  styleUrls: ['../ui/list-page.scss', './device-list.page.scss'],
})
export default class DeviceListPage {
  private readonly api = inject(DevicesApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly router = inject(Router);
  private readonly url = urlState();
  protected readonly pageSizes = PAGE_SIZES;

  private readonly auth = inject(AuthService);
  private readonly authority = computed(() => this.auth.user()?.authority);
  /** Customer users see their devices; adding and deleting is for tenant administrators. */
  protected readonly canEdit = computed(() => this.authority() === 'TENANT_ADMIN');

  protected readonly textSearch = computed(() => this.url.params().get('q') ?? '');
  protected readonly activeFilter = computed(() => this.url.params().get('active') ?? 'all');
  protected readonly sort = computed(() => {
    const active = this.url.params().get('sort') as SortColumn | null;
    return {
      active: active && SORTABLE.includes(active) ? active : 'createdTime',
      direction: (this.url.params().get('dir') ?? (active ? 'asc' : 'desc')) === 'asc' ? ('asc' as const) : ('desc' as const),
    };
  });
  protected readonly pageIndex = computed(() => intParam(this.url.params(), 'page', 0));
  protected readonly pageSize = computed(() => {
    const size = intParam(this.url.params(), 'size', PAGE_SIZES[0], 1);
    return PAGE_SIZES.includes(size) ? size : PAGE_SIZES[0];
  });

  protected readonly devices = loader(
    () => ({
      page: this.pageIndex(),
      pageSize: this.pageSize(),
      textSearch: this.textSearch() || undefined,
      sortProperty: this.sort().active,
      sortOrder: this.sort().direction === 'asc' ? ('ASC' as const) : ('DESC' as const),
      active: this.activeFilter() === 'all' ? undefined : this.activeFilter() === 'true',
    }),
    (query) => this.api.page(query),
  );
  protected readonly page = computed(() => this.devices.state().value);
  protected readonly filtered = computed(() => !!this.textSearch() || this.activeFilter() !== 'all');
  protected readonly columns = computed(() => [
    ...(this.canEdit() ? ['select'] : []),
    'name',
    'label',
    'deviceProfileName',
    ...(this.authority() === 'TENANT_ADMIN' ? ['customerTitle'] : []),
    'active',
    'createdTime',
    ...(this.canEdit() ? ['actions'] : []),
  ]);

  protected readonly selection = new SelectionModel<string>(true, []);
  /** SelectionModel is not a signal: this counter makes the template see its changes. */
  protected readonly selectionVersion = signal(0);
  protected readonly selected = computed(() => {
    this.selectionVersion();
    const ids = new Set(this.selection.selected);
    return (this.page()?.data ?? []).filter((device) => ids.has(device.id.id));
  });

  constructor() {
    this.selection.changed.subscribe(() => this.selectionVersion.update((v) => v + 1));
    // A new page of rows: forget the selection of the old one.
    effect(() => {
      this.page();
      untracked(() => this.selection.clear());
    });
    // `?create=true` (e.g. from Home) opens the dialog once.
    effect(() => {
      if (this.url.params().get('create') === 'true' && untracked(this.canEdit)) {
        untracked(() => {
          this.url.patch({ create: null }, { replaceUrl: true });
          void this.create();
        });
      }
    });
  }

  setSearch(text: string): void {
    this.url.patch({ q: text || null, page: null }, { replaceUrl: true });
  }

  setActiveFilter(value: string): void {
    this.url.patch({ active: value === 'all' ? null : value, page: null });
  }

  setSort(sort: Sort): void {
    this.url.patch({ sort: sort.direction ? sort.active : null, dir: sort.direction || null, page: null });
  }

  setPage(event: PageEvent): void {
    this.url.patch({ page: event.pageIndex || null, size: event.pageSize === PAGE_SIZES[0] ? null : event.pageSize });
  }

  clearFilters(): void {
    this.url.patch({ q: null, active: null, page: null });
  }

  toggleAll(): void {
    const rows = this.page()?.data ?? [];
    if (this.selected().length === rows.length) this.selection.clear();
    else this.selection.select(...rows.map((device) => device.id.id));
  }

  async create(): Promise<void> {
    const device = await this.openDialog(null);
    if (device) await this.router.navigate(['/devices', device.id.id, 'connectivity']);
  }

  async edit(device: DeviceInfo): Promise<void> {
    if (await this.openDialog(device)) this.devices.reload();
  }

  async delete(devices: readonly DeviceInfo[]): Promise<void> {
    const one = devices.length === 1;
    const confirmed = await confirmAction(this.dialog, {
      title: one ? `Delete ${devices[0].name}?` : `Delete ${devices.length} devices?`,
      message: `${one ? 'The device' : `These devices (${nameList(devices)})`} and ${one ? 'its' : 'their'} telemetry, attributes, alarms and credentials will be deleted, and open connections closed. This cannot be undone.`,
      confirmLabel: one ? 'Delete device' : `Delete ${devices.length} devices`,
      destructive: true,
    });
    if (!confirmed) return;
    const failures: string[] = [];
    for (const device of devices) {
      try {
        await firstValueFrom(this.api.delete(device.id.id));
      } catch (e) {
        failures.push(`${device.name}: ${describeError(e)}`);
      }
    }
    this.devices.reload();
    const deleted = devices.length - failures.length;
    this.snackBar.open(
      failures.length
        ? `${deleted} deleted; not deleted — ${failures.join('; ')}`
        : one
          ? `${devices[0].name} deleted`
          : `${deleted} devices deleted`,
      failures.length ? 'Dismiss' : undefined,
      { duration: failures.length ? 10_000 : 3000 },
    );
  }

  private async openDialog(device: Device | null): Promise<Device | undefined> {
    const ref = this.dialog.open<DeviceDialog, Device | null, Device>(DeviceDialog, {
      data: device,
      width: '520px',
      autoFocus: 'first-tabbable',
    });
    return firstValueFrom(ref.afterClosed());
  }
}
