import { ApiProperty } from '@nestjs/swagger';
import { IsArray, IsObject, IsString } from 'class-validator';

/** Body of POST /api/ruleChain/testScript (rest-api.md §2.7); every field is required. */
export class TestScriptDto {
  @ApiProperty({ example: 'return {msg: msg, metadata: metadata, msgType: msgType};', description: 'function body' })
  @IsString({ message: 'script is required and must be a string (the function body)' })
  script: string;

  @ApiProperty({ example: 'update', enum: ['update', 'generate', 'filter', 'switch', 'json', 'string'] })
  @IsString({ message: 'scriptType is required and must be a string: update, generate, filter, switch, json or string' })
  scriptType: string;

  @ApiProperty({ example: ['msg', 'metadata', 'msgType'] })
  @IsArray({ message: 'argNames is required and must be an array of names, e.g. ["msg","metadata","msgType"]' })
  @IsString({ each: true, message: 'argNames must hold strings only' })
  argNames: string[];

  @ApiProperty({ example: '{"temperature": 42}', description: 'the message data: a string holding JSON' })
  @IsString({ message: 'msg is required and must be a string holding the message JSON, e.g. "{\\"temperature\\": 42}"' })
  msg: string;

  @ApiProperty({ example: { deviceName: 'Device A', deviceType: 'Thermometer' } })
  @IsObject({ message: 'metadata is required and must be an object of strings' })
  metadata: Record<string, unknown>;

  @ApiProperty({ example: 'POST_TELEMETRY_REQUEST' })
  @IsString({ message: 'msgType is required and must be a string' })
  msgType: string;
}
