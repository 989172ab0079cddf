import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatProgressBar } from '@angular/material/progress-bar';
import { loader } from '../core/loader';
import { RelativeTime } from '../ui/relative-time';
import { RuleChainsApi } from './rule-chains.api';

export interface VersionsDialogData {
  ruleChainId: string;
  /** Restoring replaces what is on the canvas: say so when there are unsaved changes. */
  unsaved: boolean;
}

/** Every saved version of the chain, newest first; closes with the version to restore. */
@Component({
  selector: 'ew-versions-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatDialogModule, MatButton, MatProgressBar, RelativeTime],
  template: `<h2 mat-dialog-title>Versions</h2>
    <mat-dialog-content>
      <p class="ew-muted">
        Every save keeps a version. Restoring one saves its graph as the newest version; later versions stay restorable.
        @if (data.unsaved) {
          <strong>Your unsaved changes on the canvas will be lost.</strong>
        }
      </p>
      @let state = versions.state();
      @if (state.error) {
        <p class="ew-banner ew-banner-error" role="alert">{{ state.error }}</p>
      } @else if (!state.value) {
        <mat-progress-bar mode="indeterminate" aria-label="Loading versions" />
      } @else {
        <ul aria-label="Versions">
          @for (v of state.value; track v.version) {
            <li>
              <span class="version">Version {{ v.version }}</span>
              <ew-relative-time [ts]="v.createdTime" />
              <span class="ew-muted">{{ v.nodes }} nodes</span>
              @if (v.current) {
                <span class="current">current</span>
              } @else {
                <button mat-stroked-button type="button" (click)="ref.close(v.version)" [attr.aria-label]="'Restore version ' + v.version">
                  Restore
                </button>
              }
            </li>
          }
        </ul>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close>Close</button>
    </mat-dialog-actions>`,
  styles: `
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    li {
      display: grid;
      grid-template-columns: 1fr 1fr 1fr auto;
      align-items: center;
      gap: 16px;
      min-height: 48px;
      border-bottom: 1px solid var(--mat-sys-outline-variant);
    }
    .version {
      font-weight: 500;
    }
    .current {
      padding: 0 12px;
      color: var(--mat-sys-primary);
    }
  `,
})
export class VersionsDialog {
  protected readonly data = inject<VersionsDialogData>(MAT_DIALOG_DATA);
  protected readonly ref = inject<MatDialogRef<VersionsDialog, number>>(MatDialogRef);
  private readonly api = inject(RuleChainsApi);
  protected readonly versions = loader(
    () => this.data.ruleChainId,
    (id) => this.api.versions(id),
  );
}
