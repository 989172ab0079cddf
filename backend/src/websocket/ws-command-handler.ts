import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { HistoryQueryError } from '../telemetry/history-query';
import { AlarmCommands } from './alarm-commands';
import { EntityDataCommands } from './entity-data-commands';
import { TelemetryCommands } from './telemetry-commands';
import { CommandType, isRefused, RawCommand, RefusedCommand } from './ws-commands';
import { cmdError, CmdUpdateType, telemetryError, WsCommandError, WsErrorCode } from './ws-protocol';
import type { WsSession } from './ws-session';

/** The update type errors of each newer command are reported as; legacy commands report in TelemetrySubscriptionUpdate shape. */
const UPDATE_TYPE: Partial<Record<CommandType, CmdUpdateType>> = {
  ENTITY_DATA: 'ENTITY_DATA',
  ENTITY_DATA_UNSUBSCRIBE: 'ENTITY_DATA',
  ENTITY_COUNT: 'COUNT_DATA',
  ENTITY_COUNT_UNSUBSCRIBE: 'COUNT_DATA',
  ALARM_DATA: 'ALARM_DATA',
  ALARM_DATA_UNSUBSCRIBE: 'ALARM_DATA',
  ALARM_COUNT: 'ALARM_COUNT_DATA',
  ALARM_COUNT_UNSUBSCRIBE: 'ALARM_COUNT_DATA',
};

/** Runs the commands of one message in order; each failure becomes an error update for its `cmdId`, and the connection stays. */
@Injectable()
export class WsCommandHandler {
  private readonly logger = new Logger('WebSocket');

  constructor(
    private readonly telemetry: TelemetryCommands,
    private readonly entityData: EntityDataCommands,
    private readonly alarms: AlarmCommands,
  ) {}

  async run(session: WsSession, commands: readonly (RawCommand | RefusedCommand)[]): Promise<void> {
    for (const command of commands) {
      if (session.closed) return;
      if (isRefused(command)) {
        session.send(errorUpdate(command.type, command.cmdId, command.error));
        continue;
      }
      try {
        await this.handle(session, command);
      } catch (e) {
        session.send(errorUpdate(command.type, command.cmdId, this.toCommandError(e, command)));
      }
    }
  }

  private handle(session: WsSession, { type, cmdId, body }: RawCommand): Promise<void> | void {
    switch (type) {
      case 'TIMESERIES':
        return this.telemetry.subscribeTimeseries(session, cmdId, body);
      case 'ATTRIBUTES':
        return this.telemetry.subscribeAttributes(session, cmdId, body);
      case 'TIMESERIES_HISTORY':
        return this.telemetry.history(session, cmdId, body);
      case 'ENTITY_DATA':
        return this.entityData.entityData(session, cmdId, body);
      case 'ENTITY_COUNT':
        return this.entityData.entityCount(session, cmdId, body);
      case 'ALARM_DATA':
        return this.alarms.alarmData(session, cmdId, body);
      case 'ALARM_COUNT':
        return this.alarms.alarmCount(session, cmdId, body);
      case 'ENTITY_DATA_UNSUBSCRIBE':
      case 'ENTITY_COUNT_UNSUBSCRIBE':
      case 'ALARM_DATA_UNSUBSCRIBE':
      case 'ALARM_COUNT_UNSUBSCRIBE':
        return session.cancel(cmdId);
    }
  }

  private toCommandError(e: unknown, command: RawCommand): WsCommandError {
    if (e instanceof WsCommandError) return e;
    if (e instanceof HistoryQueryError) return WsCommandError.badRequest(e.message);
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return new WsCommandError(WsErrorCode.UNAUTHORIZED, e.message);
    if (e instanceof ApiError && e.status < 500) return WsCommandError.badRequest(e.message);
    this.logger.error({ msg: `WebSocket command ${command.type} (cmdId ${command.cmdId}) failed`, err: e });
    return new WsCommandError(WsErrorCode.INTERNAL_ERROR, 'Internal Server error! The server log has the details.');
  }
}

function errorUpdate(type: CommandType | undefined, cmdId: number, error: WsCommandError): string {
  const updateType = type && UPDATE_TYPE[type];
  return updateType ? cmdError(cmdId, updateType, error.code, error.message) : telemetryError(cmdId, error.code, error.message);
}
