import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatTabLink, MatTabNav, MatTabNavPanel } from '@angular/material/tabs';
import { RouterLink, RouterLinkActive } from '@angular/router';

/** The two views of the OTA section, as links (each has its own URL). */
@Component({
  selector: 'ew-ota-tabs',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatTabNav, MatTabLink, MatTabNavPanel, RouterLink, RouterLinkActive],
  template: `
    <nav mat-tab-nav-bar [tabPanel]="panel" aria-label="Firmware (OTA) views">
      <a
        mat-tab-link
        routerLink="/ota"
        [routerLinkActiveOptions]="{ exact: true }"
        routerLinkActive
        #packages="routerLinkActive"
        [active]="packages.isActive"
        >Packages</a
      >
      <a mat-tab-link routerLink="/ota/updates" routerLinkActive #updates="routerLinkActive" [active]="updates.isActive">Update status</a>
    </nav>
    <mat-tab-nav-panel #panel><ng-content /></mat-tab-nav-panel>
  `,
  styles: `
    nav {
      margin-bottom: 16px;
    }
  `,
})
export class OtaTabs {}
