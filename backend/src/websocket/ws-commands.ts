import { WsCommandError } from './ws-protocol';

/** Command arrays of the legacy wrapper (ThingsBoard's TelemetryCmdsWrapper) and the command type each holds. */
const LEGACY_ARRAYS = {
  attrSubCmds: 'ATTRIBUTES',
  tsSubCmds: 'TIMESERIES',
  historyCmds: 'TIMESERIES_HISTORY',
  entityDataCmds: 'ENTITY_DATA',
  entityDataUnsubscribeCmds: 'ENTITY_DATA_UNSUBSCRIBE',
  alarmDataCmds: 'ALARM_DATA',
  alarmDataUnsubscribeCmds: 'ALARM_DATA_UNSUBSCRIBE',
  entityCountCmds: 'ENTITY_COUNT',
  entityCountUnsubscribeCmds: 'ENTITY_COUNT_UNSUBSCRIBE',
  alarmCountCmds: 'ALARM_COUNT',
  alarmCountUnsubscribeCmds: 'ALARM_COUNT_UNSUBSCRIBE',
} as const;

export type CommandType = (typeof LEGACY_ARRAYS)[keyof typeof LEGACY_ARRAYS];
export const COMMAND_TYPES: readonly CommandType[] = Object.values(LEGACY_ARRAYS);

export type CommandBody = Readonly<Record<string, unknown>>;

/** One command of a message, not yet checked beyond its `cmdId` and type. */
export interface RawCommand {
  type: CommandType;
  cmdId: number;
  body: CommandBody;
}

/** A command that was refused while reading the message; it is answered with an error update. */
export interface RefusedCommand {
  type?: CommandType;
  cmdId: number;
  error: WsCommandError;
}

export interface ParsedMessage {
  /** The `authCmd` member (current wrapper, `/api/ws` only); undefined when absent. */
  authCmd?: { token?: string };
  commands: (RawCommand | RefusedCommand)[];
}

export const isRefused = (command: RawCommand | RefusedCommand): command is RefusedCommand => 'error' in command;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a client message: either wrapper (the legacy one with typed arrays, the current one with `cmds` whose
 * members carry `type`) — both are accepted on both endpoints. A message that is not a JSON object throws; a
 * bad command inside an otherwise good message is returned as refused, so its neighbours still run.
 */
export function parseMessage(text: string): ParsedMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw WsCommandError.badRequest(`Failed to parse the payload: ${(e as Error).message}`);
  }
  if (!isObject(json)) throw WsCommandError.badRequest('Failed to parse the payload: send a JSON object such as {"cmds":[…]}');
  const parsed: ParsedMessage = { commands: [] };
  if (json.authCmd !== undefined && json.authCmd !== null) {
    if (!isObject(json.authCmd))
      throw WsCommandError.badRequest('Failed to parse the payload: authCmd must be an object {"cmdId":0,"token":"…"}');
    parsed.authCmd = { token: typeof json.authCmd.token === 'string' ? json.authCmd.token : undefined };
  }
  for (const [member, type] of Object.entries(LEGACY_ARRAYS)) {
    for (const body of listMember(json, member)) parsed.commands.push(readCommand(body, type));
  }
  for (const body of listMember(json, 'cmds')) {
    const type = isObject(body) ? body.type : undefined;
    if (typeof type === 'string' && (COMMAND_TYPES as readonly string[]).includes(type))
      parsed.commands.push(readCommand(body, type as CommandType));
    else
      parsed.commands.push({
        cmdId: isObject(body) && typeof body.cmdId === 'number' ? body.cmdId : 0,
        error: WsCommandError.badRequest(
          `Unsupported command type ${JSON.stringify(type ?? null)}: use one of ${COMMAND_TYPES.join(', ')}`,
        ),
      });
  }
  return parsed;
}

function listMember(json: Record<string, unknown>, member: string): unknown[] {
  const value = json[member];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw WsCommandError.badRequest(`Failed to parse the payload: ${member} must be an array of commands`);
  return value;
}

function readCommand(body: unknown, type: CommandType): RawCommand | RefusedCommand {
  if (!isObject(body)) return { type, cmdId: 0, error: WsCommandError.badRequest(`A ${type} command must be a JSON object`) };
  try {
    const cmdId = readInt(body, 'cmdId', 0);
    if (cmdId < 0) return { type, cmdId, error: WsCommandError.badRequest('Cmd id is negative value!') };
    return { type, cmdId, body };
  } catch (e) {
    return { type, cmdId: 0, error: e as WsCommandError };
  }
}

/** A whole number (or its decimal text, which ThingsBoard's JSON reader accepts too); `fallback` when absent. */
export function readInt(body: CommandBody, name: string, fallback: number): number {
  const value = body[name];
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw WsCommandError.badRequest(`Invalid ${name} ${JSON.stringify(value)}: expected a whole number`);
  return n;
}

/** A text member; undefined when absent or empty. */
export function readString(body: CommandBody, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw WsCommandError.badRequest(`Invalid ${name} ${JSON.stringify(value)}: expected text`);
  return value;
}

export function readBool(body: CommandBody, name: string): boolean {
  const value = body[name];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw WsCommandError.badRequest(`Invalid ${name} ${JSON.stringify(value)}: expected true or false`);
  return value;
}

export function readObject(body: CommandBody, name: string): CommandBody | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw WsCommandError.badRequest(`Invalid ${name}: expected a JSON object`);
  return value;
}

export function readArray(body: CommandBody, name: string): unknown[] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw WsCommandError.badRequest(`Invalid ${name}: expected a JSON array`);
  return value;
}

/** One of `allowed`, or `fallback` when absent. */
export function readEnum<T extends string>(body: CommandBody, name: string, allowed: readonly T[], fallback: T): T;
export function readEnum<T extends string>(body: CommandBody, name: string, allowed: readonly T[]): T | undefined;
export function readEnum<T extends string>(body: CommandBody, name: string, allowed: readonly T[], fallback?: T): T | undefined {
  const value = readString(body, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw WsCommandError.badRequest(`Invalid ${name} ${JSON.stringify(value)}: use one of ${allowed.join(', ')}`);
  return value as T;
}

/** `"a,b"` → `['a','b']` (ThingsBoard's `keys` text); undefined for none, which means "all keys". */
export function readKeyList(body: CommandBody, name = 'keys'): string[] | undefined {
  const text = readString(body, name);
  if (text === undefined) return undefined;
  const keys = [...new Set(text.split(',').filter(Boolean))];
  return keys.length ? keys : undefined;
}

/** A list of text, e.g. `typeList`; undefined when absent or empty. */
export function readStringList(body: CommandBody, name: string): string[] | undefined {
  const list = readArray(body, name);
  if (!list?.length) return undefined;
  if (!list.every((item) => typeof item === 'string')) throw WsCommandError.badRequest(`Invalid ${name}: expected a list of text`);
  return list as string[];
}
