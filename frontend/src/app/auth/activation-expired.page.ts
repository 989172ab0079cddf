import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatAnchor } from '@angular/material/button';
import { RouterLink } from '@angular/router';
import { StateMessage } from '../ui/state-message';

/** Where an invitation link that is too old leads (the server redirects here). */
@Component({
  selector: 'ew-activation-expired-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [StateMessage, MatAnchor, RouterLink],
  template: `<ew-state-message heading="This invitation has expired" icon="link_off">
    <p>Invitation links work for a limited time. Ask your administrator to send you a new one.</p>
    <a mat-stroked-button routerLink="/login">Go to the login page</a>
  </ew-state-message>`,
})
export default class ActivationExpiredPage {}
