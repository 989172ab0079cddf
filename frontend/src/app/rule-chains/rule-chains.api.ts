import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';
import type { PageData, PageQuery } from '../core/api-models';
import type {
  ComponentDescriptor,
  DebugEvent,
  RuleChain,
  RuleChainData,
  RuleChainImportResult,
  RuleChainMetaData,
  RuleChainVersion,
  ScriptLang,
  ScriptTestRequest,
  ScriptTestResult,
} from './rule-chain.models';

/** The rule-chain REST calls of the admin (rest-api.md §2, events §4). */
@Injectable({ providedIn: 'root' })
export class RuleChainsApi {
  private readonly http = inject(HttpClient);

  page(query: PageQuery): Observable<PageData<RuleChain>> {
    let params = new HttpParams().set('page', query.page).set('pageSize', query.pageSize).set('type', 'CORE');
    if (query.textSearch) params = params.set('textSearch', query.textSearch);
    if (query.sortProperty) params = params.set('sortProperty', query.sortProperty).set('sortOrder', query.sortOrder ?? 'ASC');
    return this.http.get<PageData<RuleChain>>('/api/ruleChains', { params });
  }

  get(ruleChainId: string): Observable<RuleChain> {
    return this.http.get<RuleChain>(`/api/ruleChain/${ruleChainId}`);
  }

  /** Creates (no id) or renames a chain: the header only. */
  save(chain: Partial<RuleChain>): Observable<RuleChain> {
    return this.http.post<RuleChain>('/api/ruleChain', chain);
  }

  delete(ruleChainId: string): Observable<void> {
    return this.http.delete<void>(`/api/ruleChain/${ruleChainId}`);
  }

  makeRoot(ruleChainId: string): Observable<RuleChain> {
    return this.http.post<RuleChain>(`/api/ruleChain/${ruleChainId}/root`, null);
  }

  metadata(ruleChainId: string): Observable<RuleChainMetaData> {
    return this.http.get<RuleChainMetaData>(`/api/ruleChain/${ruleChainId}/metadata`);
  }

  /** Replaces the graph; the server refuses (409) when `version` is not its current one. */
  saveMetadata(metadata: RuleChainMetaData): Observable<RuleChainMetaData> {
    return this.http.post<RuleChainMetaData>('/api/ruleChain/metadata', metadata);
  }

  versions(ruleChainId: string): Observable<RuleChainVersion[]> {
    return this.http.get<RuleChainVersion[]>(`/api/ruleChain/${ruleChainId}/versions`);
  }

  restoreVersion(ruleChainId: string, version: number): Observable<RuleChainMetaData> {
    return this.http.post<RuleChainMetaData>(`/api/ruleChain/${ruleChainId}/versions/${version}/restore`, null);
  }

  exportAll(limit = 1000): Observable<RuleChainData> {
    return this.http.get<RuleChainData>('/api/ruleChains/export', { params: { limit } });
  }

  import(data: RuleChainData, overwrite = false): Observable<RuleChainImportResult[]> {
    return this.http.post<RuleChainImportResult[]>('/api/ruleChains/import', data, { params: { overwrite } });
  }

  /** The node catalogue of every installed plugin. */
  components(): Observable<ComponentDescriptor[]> {
    return this.http.get<ComponentDescriptor[]>('/api/components');
  }

  testScript(request: ScriptTestRequest, scriptLang: ScriptLang): Observable<ScriptTestResult> {
    return this.http.post<ScriptTestResult>('/api/ruleChain/testScript', request, { params: { scriptLang } });
  }

  /** The newest debug events of a node (rest-api.md §4.1). */
  debugEvents(tenantId: string, ruleNodeId: string, pageSize = 20): Observable<PageData<DebugEvent>> {
    const params = new HttpParams()
      .set('tenantId', tenantId)
      .set('pageSize', pageSize)
      .set('page', 0)
      .set('sortProperty', 'createdTime')
      .set('sortOrder', 'DESC');
    return this.http.get<PageData<DebugEvent>>(`/api/events/RULE_NODE/${ruleNodeId}/DEBUG_RULE_NODE`, { params });
  }
}
