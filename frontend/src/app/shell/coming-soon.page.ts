import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatAnchor } from '@angular/material/button';
import { StateMessage } from '../ui/state-message';
import type { NavItem } from './navigation';

/** A page of the navigation that is not built yet: what it will do, and what to use until then. */
@Component({
  selector: 'ew-coming-soon-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [StateMessage, MatAnchor],
  template: `<h1 class="ew-page-title">{{ item().label }}</h1>
    <ew-state-message [heading]="'Coming soon: ' + item().label" [icon]="item().icon">
      <p>{{ item().comingSoon?.summary }}</p>
      <p>Until then, use {{ item().comingSoon?.meanwhile }}. The REST API is documented in the API explorer.</p>
      <a mat-stroked-button href="/swagger-ui" target="_blank" rel="noopener">Open the API explorer</a>
    </ew-state-message>`,
})
export default class ComingSoonPage {
  /** From the route's data. */
  readonly item = input.required<NavItem>();
}
