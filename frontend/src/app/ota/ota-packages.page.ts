import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButton, MatIconButton } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIcon } from '@angular/material/icon';
import { MatMenu, MatMenuContent, MatMenuItem, MatMenuTrigger } from '@angular/material/menu';
import { MatPaginator, PageEvent } from '@angular/material/paginator';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { describeError } from '../core/api-error';
import { loader } from '../core/loader';
import { intParam, urlState } from '../core/url-state';
import { confirmAction } from '../ui/confirm-dialog';
import { RelativeTime } from '../ui/relative-time';
import { SearchBox } from '../ui/search-box';
import { StateMessage } from '../ui/state-message';
import { RefreshError, TableState } from '../ui/table-state';
import { OtaApi, OtaPackageInfo } from './ota.api';
import { OtaTabs } from './ota-tabs';
import { UploadDialog } from './upload-dialog';

const PAGE_SIZES = [20, 50, 100];
const assignmentKey = (pkg: OtaPackageInfo) => (pkg.type === 'FIRMWARE' ? 'firmwareId' : 'softwareId');
export const packageName = (pkg: Pick<OtaPackageInfo, 'title' | 'version'>) => `${pkg.title} ${pkg.version}`;

/** Firmware and software packages: search and page (in the URL), upload, assign to their device profile, delete. */
@Component({
  selector: 'ew-ota-packages-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterLink,
    MatTableModule,
    MatPaginator,
    MatButton,
    MatIconButton,
    MatIcon,
    MatMenu,
    MatMenuContent,
    MatMenuItem,
    MatMenuTrigger,
    SearchBox,
    StateMessage,
    TableState,
    RefreshError,
    RelativeTime,
    OtaTabs,
  ],
  templateUrl: './ota-packages.page.html',
  styleUrls: ['../ui/list-page.scss', './ota-packages.page.scss'],
})
export default class OtaPackagesPage {
  private readonly api = inject(OtaApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly url = urlState();
  protected readonly pageSizes = PAGE_SIZES;
  protected readonly columns = ['title', 'version', 'type', 'profile', 'file', 'checksum', 'createdTime', 'actions'];

  protected readonly textSearch = computed(() => this.url.params().get('q') ?? '');
  protected readonly pageIndex = computed(() => intParam(this.url.params(), 'page', 0));
  protected readonly pageSize = computed(() => {
    const size = intParam(this.url.params(), 'size', PAGE_SIZES[0], 1);
    return PAGE_SIZES.includes(size) ? size : PAGE_SIZES[0];
  });
  protected readonly packages = loader(
    () => ({ page: this.pageIndex(), pageSize: this.pageSize(), textSearch: this.textSearch() || undefined }),
    (query) => this.api.page({ ...query, sortProperty: 'createdTime', sortOrder: 'DESC' }),
  );
  protected readonly page = computed(() => this.packages.state().value);
  protected readonly profiles = loader(
    () => true,
    () => this.api.profiles(),
  );
  private readonly profileById = computed(() => new Map((this.profiles.state().value?.data ?? []).map((p) => [p.id.id, p])));

  protected profileName(pkg: OtaPackageInfo): string {
    return (pkg.deviceProfileId && this.profileById().get(pkg.deviceProfileId.id)?.name) ?? '—';
  }

  /** True when the package's profile has it assigned. */
  protected assigned(pkg: OtaPackageInfo): boolean {
    const profile = pkg.deviceProfileId && this.profileById().get(pkg.deviceProfileId.id);
    return !!profile && profile[assignmentKey(pkg)]?.id === pkg.id.id;
  }

  protected size(bytes: number | null): string {
    if (!bytes) return '';
    return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  setSearch(text: string): void {
    this.url.patch({ q: text || null, page: null }, { replaceUrl: true });
  }

  setPage(event: PageEvent): void {
    this.url.patch({ page: event.pageIndex || null, size: event.pageSize === PAGE_SIZES[0] ? null : event.pageSize });
  }

  async upload(): Promise<void> {
    const ref = this.dialog.open<UploadDialog, void, OtaPackageInfo>(UploadDialog, { width: '560px', autoFocus: 'first-tabbable' });
    const stored = await firstValueFrom(ref.afterClosed());
    if (!stored) return;
    this.packages.reload();
    this.snackBar.open(`${packageName(stored)} uploaded. Assign it to its device profile to update the devices.`, undefined, {
      duration: 5000,
    });
  }

  /** Makes the package (or no package) the one of its device profile; devices without their own follow the profile. */
  async assign(pkg: OtaPackageInfo, assign: boolean): Promise<void> {
    const profile = pkg.deviceProfileId && this.profileById().get(pkg.deviceProfileId.id);
    if (!profile) return;
    const kind = pkg.type === 'FIRMWARE' ? 'firmware' : 'software';
    const confirmed = await confirmAction(this.dialog, {
      title: assign ? `Assign ${packageName(pkg)} to ${profile.name}?` : `Unassign ${packageName(pkg)} from ${profile.name}?`,
      message: assign
        ? `Every device of profile ${profile.name} without a ${kind} of its own is queued for ${packageName(pkg)} and told to update. Follow them under Update status.`
        : `Devices of profile ${profile.name} without a ${kind} of their own are no longer told to install ${packageName(pkg)}.`,
      confirmLabel: assign ? 'Assign' : 'Unassign',
    });
    if (!confirmed) return;
    try {
      const current = await firstValueFrom(this.api.profile(profile.id.id));
      await firstValueFrom(this.api.saveProfile({ ...current, [assignmentKey(pkg)]: assign ? pkg.id : null }));
      this.snackBar.open(assign ? `${packageName(pkg)} assigned to ${profile.name}` : `${packageName(pkg)} unassigned`, undefined, {
        duration: 3000,
      });
    } catch (e) {
      this.snackBar.open(`Not ${assign ? 'assigned' : 'unassigned'}: ${describeError(e)}`, 'Dismiss', { duration: 10_000 });
    }
    this.profiles.reload();
  }

  async delete(pkg: OtaPackageInfo): Promise<void> {
    const confirmed = await confirmAction(this.dialog, {
      title: `Delete ${packageName(pkg)}?`,
      message: `The package and its file are deleted. It cannot be deleted while a device or device profile has it assigned. This cannot be undone.`,
      confirmLabel: 'Delete package',
      destructive: true,
    });
    if (!confirmed) return;
    try {
      await firstValueFrom(this.api.delete(pkg.id.id));
      this.snackBar.open(`${packageName(pkg)} deleted`, undefined, { duration: 3000 });
      this.packages.reload();
    } catch (e) {
      // The server names what still uses the package: unassign it there first.
      this.snackBar.open(`${packageName(pkg)} was not deleted: ${describeError(e)}`, 'Dismiss', { duration: 15_000 });
    }
  }
}
