import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButton, MatIconButton } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIcon } from '@angular/material/icon';
import { MatMenu, MatMenuContent, MatMenuItem, MatMenuTrigger } from '@angular/material/menu';
import { MatPaginator, PageEvent } from '@angular/material/paginator';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { Router, RouterLink } from '@angular/router';
import { firstValueFrom, Observable } from 'rxjs';
import { describeError } from '../core/api-error';
import { loader } from '../core/loader';
import { intParam, urlState } from '../core/url-state';
import { confirmAction } from '../ui/confirm-dialog';
import { RelativeTime } from '../ui/relative-time';
import { SearchBox } from '../ui/search-box';
import { StateMessage } from '../ui/state-message';
import { RefreshError, TableState } from '../ui/table-state';
import { RuleChainDialog } from './rule-chain-dialog';
import { chainFile, importBody } from './rule-chain-files';
import type { RuleChain } from './rule-chain.models';
import { RuleChainsApi } from './rule-chains.api';

const PAGE_SIZE = 20;

/** Saves JSON as a file download. */
function download(fileName: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
}

const fileNameOf = (name: string) => `${name.replace(/[^\w.-]+/g, '_').toLowerCase() || 'rule_chain'}.json`;

/** The tenant's rule chains: search, open, create, delete, make root, export and import ThingsBoard JSON. */
@Component({
  selector: 'ew-rule-chain-list-page',
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
  ],
  templateUrl: './rule-chain-list.page.html',
  styles: `
    .name {
      font-weight: 500;
    }
    .tag {
      margin-left: 8px;
      padding: 2px 8px;
      border-radius: 12px;
      background: var(--mat-sys-primary-container);
      color: var(--mat-sys-on-primary-container);
      font: var(--mat-sys-label-medium);
    }
    .actions {
      width: 48px;
      text-align: right;
    }
    .header-actions {
      display: flex;
      gap: 8px;
    }
  `,
})
export default class RuleChainListPage {
  private readonly api = inject(RuleChainsApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly router = inject(Router);
  private readonly url = urlState();
  protected readonly pageSize = PAGE_SIZE;
  protected readonly columns = ['name', 'description', 'createdTime', 'actions'];

  protected readonly textSearch = computed(() => this.url.params().get('q') ?? '');
  protected readonly pageIndex = computed(() => intParam(this.url.params(), 'page', 0));
  protected readonly chains = loader(
    () => ({
      page: this.pageIndex(),
      pageSize: PAGE_SIZE,
      textSearch: this.textSearch() || undefined,
      sortProperty: 'name',
      sortOrder: 'ASC' as const,
    }),
    (query) => this.api.page(query),
  );
  protected readonly page = computed(() => this.chains.state().value);

  setSearch(text: string): void {
    this.url.patch({ q: text || null, page: null }, { replaceUrl: true });
  }

  setPage(event: PageEvent): void {
    this.url.patch({ page: event.pageIndex || null });
  }

  async create(): Promise<void> {
    const chain = await firstValueFrom(this.dialog.open(RuleChainDialog, { width: '480px' }).afterClosed());
    if (chain) await this.router.navigate(['/rule-chains', chain.id.id]);
  }

  async makeRoot(chain: RuleChain): Promise<void> {
    const confirmed = await confirmAction(this.dialog, {
      title: `Make ${chain.name} the root chain?`,
      message: `Every message of devices whose profile names no rule chain will go through ${chain.name} instead of the current root chain.`,
      confirmLabel: 'Make root',
    });
    if (!confirmed) return;
    await this.run(this.api.makeRoot(chain.id.id), `${chain.name} is now the root rule chain`);
  }

  async delete(chain: RuleChain): Promise<void> {
    const confirmed = await confirmAction(this.dialog, {
      title: `Delete ${chain.name}?`,
      message: `The rule chain ${chain.name}, its nodes, versions and debug events will be deleted. "rule chain" nodes of other chains that forward to it will fail. This cannot be undone.`,
      confirmLabel: 'Delete rule chain',
      destructive: true,
    });
    if (!confirmed) return;
    await this.run(this.api.delete(chain.id.id), `${chain.name} deleted`);
  }

  async export(chain: RuleChain): Promise<void> {
    try {
      const metadata = await firstValueFrom(this.api.metadata(chain.id.id));
      download(fileNameOf(chain.name), chainFile(chain, metadata));
    } catch (e) {
      this.snackBar.open(`${chain.name} was not exported: ${describeError(e)}`, 'Dismiss', { duration: 10_000 });
    }
  }

  async exportAll(): Promise<void> {
    try {
      download('rule_chains.json', await firstValueFrom(this.api.exportAll()));
    } catch (e) {
      this.snackBar.open(`The rule chains were not exported: ${describeError(e)}`, 'Dismiss', { duration: 10_000 });
    }
  }

  async import(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      const results = await firstValueFrom(this.api.import(importBody(JSON.parse(await file.text()))));
      const failed = results.filter((r) => r.error);
      this.chains.reload();
      this.snackBar.open(
        failed.length
          ? `Imported ${results.length - failed.length} of ${results.length}; not imported — ${failed.map((r) => `${r.ruleChainName}: ${r.error}`).join('; ')}`
          : `Imported ${results.map((r) => r.ruleChainName).join(', ')}`,
        failed.length ? 'Dismiss' : undefined,
        { duration: failed.length ? 15_000 : 4000 },
      );
    } catch (e) {
      this.snackBar.open(`${file.name} was not imported: ${describeError(e)}`, 'Dismiss', { duration: 15_000 });
    }
  }

  private async run(action: Observable<unknown>, success: string): Promise<void> {
    try {
      await firstValueFrom(action);
      this.snackBar.open(success, undefined, { duration: 3000 });
    } catch (e) {
      this.snackBar.open(describeError(e), 'Dismiss', { duration: 10_000 });
    }
    this.chains.reload();
  }
}
