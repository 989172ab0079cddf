import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { ApiError } from '../errors/api-error';
import { PageQuery, parsePageLink } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './checksum';
import { SaveOtaPackageInfoDto } from './dto/ota-package.dto';
import { OTA_PACKAGE_TYPES, type OtaPackageType } from './ota-package.entity';
import { otaPackageInfoJson } from './ota-package.json';
import { OTA_PACKAGE_SORTABLE, OtaPackagesService } from './ota-packages.service';
import { OtaUpdatesService, otaUpdateStatusJson } from './ota-updates.service';
import { OtaUploadInterceptor, type ReceivedFile } from './ota-upload';

function packageType(raw: string | undefined): OtaPackageType {
  if (!raw) throw ApiError.badRequest("Required request parameter 'type' is not present: use FIRMWARE or SOFTWARE");
  const type = raw.toUpperCase() as OtaPackageType;
  if (!OTA_PACKAGE_TYPES.includes(type)) throw ApiError.badRequest(`Unknown OTA package type '${raw}': use FIRMWARE or SOFTWARE`);
  return type;
}

/** Header text the way ThingsBoard sends it; a name with characters HTTP headers cannot carry is percent-encoded. */
const headerSafeFileName = (name: string): string => (/^[\x20-\x7e\xa0-\xff]*$/.test(name) ? name : encodeURIComponent(name));

/** OTA packages (device-api.md §8.8) and where devices stand with theirs. */
@ApiTags('ota-packages')
@ApiBearerAuth()
@Controller('api')
export class OtaPackagesController {
  constructor(
    private readonly packages: OtaPackagesService,
    private readonly updates: OtaUpdatesService,
  ) {}

  @Post('otaPackage')
  @HttpCode(200)
  @Roles('TENANT_ADMIN')
  async save(@CurrentUser() user: SecurityUser, @Body() body: SaveOtaPackageInfoDto) {
    return otaPackageInfoJson(await this.packages.save(user, body));
  }

  /**
   * Per device with an assigned package of `type`: the rollout step (QUEUED, INITIATED, FINISHED), the target,
   * the state the device reported last (`fw_state`) with its time, and the version it reports running.
   */
  @Get('otaPackage/status')
  @Roles('TENANT_ADMIN')
  @ApiQuery({ name: 'type', enum: OTA_PACKAGE_TYPES })
  @ApiQuery({ name: 'deviceProfileId', required: false })
  @ApiQuery({ name: 'otaPackageId', required: false })
  @ApiQuery({ name: 'deviceId', required: false })
  async status(
    @CurrentUser() user: SecurityUser,
    @Query() query: PageQuery & { type?: string; deviceProfileId?: string; otaPackageId?: string; deviceId?: string },
  ) {
    const type = packageType(query.type);
    const link = parsePageLink(query, {});
    const page = await this.updates.status(
      user,
      {
        type,
        deviceProfileId: query.deviceProfileId ? parseUuid(query.deviceProfileId) : undefined,
        otaPackageId: query.otaPackageId ? parseUuid(query.otaPackageId) : undefined,
        deviceId: query.deviceId ? parseUuid(query.deviceId) : undefined,
      },
      link,
    );
    return { ...page, data: page.data.map((s) => otaUpdateStatusJson(type, s)) };
  }

  @Get('otaPackage/info/:otaPackageId')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async info(@CurrentUser() user: SecurityUser, @Param('otaPackageId') id: string) {
    return otaPackageInfoJson(await this.packages.get(user, id));
  }

  /** ThingsBoard adds the binary as Base64 here; Edgewise answers the info and serves the binary at `/download`. */
  @Get('otaPackage/:otaPackageId')
  @Roles('TENANT_ADMIN')
  async get(@CurrentUser() user: SecurityUser, @Param('otaPackageId') id: string) {
    return otaPackageInfoJson(await this.packages.get(user, id));
  }

  @Post('otaPackage/:otaPackageId')
  @HttpCode(200)
  @Roles('TENANT_ADMIN')
  @UseInterceptors(OtaUploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiQuery({ name: 'checksumAlgorithm', enum: CHECKSUM_ALGORITHMS })
  @ApiQuery({ name: 'checksum', required: false, description: 'hex; the upload is refused when the file does not match it' })
  async upload(
    @CurrentUser() user: SecurityUser,
    @Param('otaPackageId') id: string,
    @Req() request: Request & { file?: ReceivedFile; otaChecksumAlgorithm?: ChecksumAlgorithm },
    @Query('checksum') checksum?: string,
  ) {
    return otaPackageInfoJson(await this.packages.storeData(user, id, request.otaChecksumAlgorithm!, checksum, request.file));
  }

  @Get('otaPackage/:otaPackageId/download')
  @Roles('TENANT_ADMIN')
  async download(@CurrentUser() user: SecurityUser, @Param('otaPackageId') id: string, @Res() response: Response): Promise<void> {
    const { info, stream } = await this.packages.download(user, id);
    const fileName = headerSafeFileName(info.fileName ?? info.id);
    response.status(200);
    response.setHeader('Content-Disposition', `attachment;filename=${fileName}`);
    response.setHeader('x-filename', fileName);
    response.setHeader('Content-Length', String(info.dataSize ?? 0));
    response.setHeader('Content-Type', info.contentType ?? 'application/octet-stream');
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  }

  @Get('otaPackages')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async page(@CurrentUser() user: SecurityUser, @Query() query: PageQuery) {
    const page = await this.packages.page(user, parsePageLink(query, OTA_PACKAGE_SORTABLE));
    return { ...page, data: page.data.map(otaPackageInfoJson) };
  }

  @Get('otaPackages/:deviceProfileId/:type')
  @Roles('TENANT_ADMIN', 'CUSTOMER_USER')
  async pageForProfile(
    @CurrentUser() user: SecurityUser,
    @Param('deviceProfileId') deviceProfileId: string,
    @Param('type') type: string,
    @Query() query: PageQuery,
  ) {
    const filter = { deviceProfileId: parseUuid(deviceProfileId), type: packageType(type) };
    const page = await this.packages.page(user, parsePageLink(query, OTA_PACKAGE_SORTABLE), filter);
    return { ...page, data: page.data.map(otaPackageInfoJson) };
  }

  @Delete('otaPackage/:otaPackageId')
  @Roles('TENANT_ADMIN')
  async delete(@CurrentUser() user: SecurityUser, @Param('otaPackageId') id: string): Promise<void> {
    await this.packages.delete(user, id);
  }
}
