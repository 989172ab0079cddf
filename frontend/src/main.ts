import { bootstrapApplication } from '@angular/platform-browser';
import { App } from './app/app';
import { appConfig } from './app/app.config';

bootstrapApplication(App, appConfig).catch((error: unknown) => {
  console.error('The admin failed to start', error);
  document.body.textContent = 'The Edgewise admin failed to start. Reload the page; if that does not help, check the browser console.';
});
