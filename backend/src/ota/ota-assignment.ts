import type { EntityManager } from 'typeorm';
import { ApiError } from '../errors/api-error';
import { isUuid } from '../database/ids';
import { OtaPackageEntity, type OtaPackageType } from './ota-package.entity';

/** The assignment fields of a device or device profile being saved. */
export interface OtaAssignment {
  firmwareId?: string | null;
  softwareId?: string | null;
}

const WORD: Record<OtaPackageType, string> = { FIRMWARE: 'firmware', SOFTWARE: 'software' };

/**
 * Checks what a device or device profile is about to be saved with, with ThingsBoard's messages: the package
 * exists in the same tenant, is of the field's type, has a binary or a URL, and belongs to the device profile
 * (`deviceProfileId`: the device's profile, or the profile itself). Runs inside the caller's transaction.
 */
export async function checkOtaAssignment(
  manager: EntityManager,
  tenantId: string,
  deviceProfileId: string,
  assignment: OtaAssignment,
): Promise<void> {
  const fields: [OtaPackageType, string | null | undefined][] = [
    ['FIRMWARE', assignment.firmwareId],
    ['SOFTWARE', assignment.softwareId],
  ];
  for (const [type, id] of fields) {
    if (!id) continue;
    const word = WORD[type];
    const found = isUuid(id) ? await manager.getRepository(OtaPackageEntity).findOneBy({ id: id.toLowerCase() }) : null;
    if (!found || found.tenantId !== tenantId) {
      throw ApiError.badRequest(`Can't assign non-existent ${word}! No OTA package [${id}] in this tenant: see GET /api/otaPackages`);
    }
    if (found.type !== type) {
      throw ApiError.badRequest(`Can't assign ${word} with type: ${found.type}! Put a ${type} package in ${word}Id`);
    }
    if (!found.hasData && !found.url) {
      throw ApiError.badRequest(
        `Can't assign ${word} with empty data! Upload its binary first: POST /api/otaPackage/${found.id}?checksumAlgorithm=SHA256`,
      );
    }
    if (found.deviceProfileId !== deviceProfileId) {
      throw ApiError.badRequest(
        `Can't assign ${word} with different deviceProfile! Package '${found.title}' ${found.version} is for another device profile`,
      );
    }
  }
}
