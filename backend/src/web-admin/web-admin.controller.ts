import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { TransportHost } from '../transport/transport-host.service';

/** What the admin needs from the server beyond the ThingsBoard REST API. */
@ApiTags('web-admin')
@ApiBearerAuth()
@Controller('api/web-admin')
export class WebAdminController {
  constructor(private readonly transports: TransportHost) {}

  /** The ports each running device transport listens on (absent: switched off), for the admin's connection commands. */
  @Get('transports')
  @ApiOkResponse({ description: 'e.g. {"mqtt":{"mqtt":1883},"http":{},"coap":{"coap":5683}}' })
  ports(): Record<string, Record<string, number>> {
    return this.transports.boundPorts();
  }
}
