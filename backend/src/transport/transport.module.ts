import { Module } from '@nestjs/common';
import { DeviceAuthenticator } from './device-authenticator';

/** The core side of the transport seam (plugin-api's TransportContext). */
@Module({ providers: [DeviceAuthenticator], exports: [DeviceAuthenticator] })
export class TransportModule {}
