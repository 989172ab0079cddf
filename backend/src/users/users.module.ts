import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CustomersModule } from '../customers/customers.module';
import { TenantsModule } from '../tenants/tenants.module';
import { UserAuthController } from './user-auth.controller';
import { UserCredentialsService } from './user-credentials.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [AuthModule, CustomersModule, TenantsModule],
  controllers: [UsersController, UserAuthController],
  providers: [UsersService, UserCredentialsService],
  exports: [UsersService],
})
export class UsersModule {}
