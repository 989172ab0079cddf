import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatAnchor } from '@angular/material/button';
import { RouterLink } from '@angular/router';
import { StateMessage } from '../ui/state-message';

@Component({
  selector: 'ew-not-found-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [StateMessage, MatAnchor, RouterLink],
  template: `<ew-state-message heading="There is no such page" icon="explore_off">
    <p>The address may be mistyped, or the page moved. Start again from Home.</p>
    <a mat-flat-button routerLink="/home">Go to Home</a>
  </ew-state-message>`,
})
export default class NotFoundPage {}
