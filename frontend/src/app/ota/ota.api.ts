import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';
import type { EntityId, PageData, PageQuery } from '../core/api-models';
import { UploadProgress, uploadProgress } from './upload-progress';

export const OTA_PACKAGE_TYPES = ['FIRMWARE', 'SOFTWARE'] as const;
export type OtaPackageType = (typeof OTA_PACKAGE_TYPES)[number];
/** ThingsBoard's checksum algorithms; the server computes the checksum with the one chosen. */
export const CHECKSUM_ALGORITHMS = ['SHA256', 'SHA384', 'SHA512', 'MD5', 'CRC32', 'MURMUR3_32', 'MURMUR3_128'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** ThingsBoard's OtaPackageInfo (device-api.md §8.8). */
export interface OtaPackageInfo {
  id: EntityId<'OTA_PACKAGE'>;
  createdTime: number;
  deviceProfileId: EntityId<'DEVICE_PROFILE'> | null;
  type: OtaPackageType;
  title: string;
  version: string;
  tag: string | null;
  url: string | null;
  hasData: boolean;
  fileName: string | null;
  contentType: string | null;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksum: string | null;
  dataSize: number | null;
}

export interface OtaPackageDraft {
  title: string;
  version: string;
  type: OtaPackageType;
  deviceProfileId: EntityId<'DEVICE_PROFILE'>;
}

/** Where one device stands with its assigned package (`GET /api/otaPackage/status`). */
export interface OtaUpdateStatus {
  deviceId: EntityId<'DEVICE'>;
  deviceName: string;
  deviceProfileId: EntityId<'DEVICE_PROFILE'>;
  type: OtaPackageType;
  otaPackageId: EntityId<'OTA_PACKAGE'>;
  /** The server's rollout step: waiting for its turn, told to update, or done (the device reported UPDATED or FAILED). */
  rollout: 'QUEUED' | 'INITIATED' | 'FINISHED';
  queuedTime: number;
  targetTitle: string | null;
  targetVersion: string | null;
  state: string | null;
  stateTs: number | null;
  error: string | null;
  currentTitle: string | null;
  currentVersion: string | null;
}

/** The parts of a device profile the OTA pages change (the whole profile is sent back). */
export interface DeviceProfileOta {
  id: EntityId<'DEVICE_PROFILE'>;
  name: string;
  firmwareId: EntityId<'OTA_PACKAGE'> | null;
  softwareId: EntityId<'OTA_PACKAGE'> | null;
  [member: string]: unknown;
}

const pageParams = (query: PageQuery) => {
  let params = new HttpParams().set('page', query.page).set('pageSize', query.pageSize);
  if (query.textSearch) params = params.set('textSearch', query.textSearch);
  if (query.sortProperty) params = params.set('sortProperty', query.sortProperty).set('sortOrder', query.sortOrder ?? 'ASC');
  return params;
};

/** The OTA REST calls of the admin (device-api.md §8.8). */
@Injectable({ providedIn: 'root' })
export class OtaApi {
  private readonly http = inject(HttpClient);

  page(query: PageQuery): Observable<PageData<OtaPackageInfo>> {
    return this.http.get<PageData<OtaPackageInfo>>('/api/otaPackages', { params: pageParams(query) });
  }

  /** Creates the package's info; its binary follows with `upload`. */
  create(draft: OtaPackageDraft): Observable<OtaPackageInfo> {
    return this.http.post<OtaPackageInfo>('/api/otaPackage', draft);
  }

  /** Sends the binary as multipart part `file`, reporting progress; with `checksum` the server refuses a file that does not match it. */
  upload(packageId: string, file: File, algorithm: ChecksumAlgorithm, checksum?: string): Observable<UploadProgress<OtaPackageInfo>> {
    const body = new FormData();
    body.append('file', file, file.name);
    let params = new HttpParams().set('checksumAlgorithm', algorithm);
    if (checksum) params = params.set('checksum', checksum);
    return uploadProgress(
      this.http.post<OtaPackageInfo>(`/api/otaPackage/${packageId}`, body, { params, reportProgress: true, observe: 'events' }),
    );
  }

  delete(packageId: string): Observable<void> {
    return this.http.delete<void>(`/api/otaPackage/${packageId}`);
  }

  status(type: OtaPackageType, query: PageQuery): Observable<PageData<OtaUpdateStatus>> {
    return this.http.get<PageData<OtaUpdateStatus>>('/api/otaPackage/status', { params: pageParams(query).set('type', type) });
  }

  /** The tenant's device profiles with their assigned packages (one large page: tenants have few profiles). */
  profiles(): Observable<PageData<DeviceProfileOta>> {
    return this.http.get<PageData<DeviceProfileOta>>('/api/deviceProfiles', {
      params: pageParams({ page: 0, pageSize: 1000, sortProperty: 'name', sortOrder: 'ASC' }),
    });
  }

  profile(profileId: string): Observable<DeviceProfileOta> {
    return this.http.get<DeviceProfileOta>(`/api/deviceProfile/${profileId}`);
  }

  saveProfile(profile: DeviceProfileOta): Observable<DeviceProfileOta> {
    return this.http.post<DeviceProfileOta>('/api/deviceProfile', profile);
  }
}
