import { CanDeactivateFn, Routes } from '@angular/router';
import type RuleChainEditorPage from './rule-chain-editor.page';

/** Asks before leaving the editor with unsaved changes. */
const unsavedChanges: CanDeactivateFn<RuleChainEditorPage> = (editor) => editor.confirmLeave();

/** The rule-chain list and the visual editor of one chain (`/rule-chains/{id}`). */
export default [
  { path: '', title: 'Rule chains · Edgewise', loadComponent: () => import('./rule-chain-list.page') },
  {
    path: ':ruleChainId',
    title: 'Rule chain editor · Edgewise',
    canDeactivate: [unsavedChanges],
    loadComponent: () => import('./rule-chain-editor.page'),
  },
] satisfies Routes;
