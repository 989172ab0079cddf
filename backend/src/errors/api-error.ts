/** ThingsBoard's `errorCode` values (device-api.md §8.2). */
export enum ErrorCode {
  GENERAL = 2,
  AUTHENTICATION = 10,
  JWT_EXPIRED = 11,
  CREDENTIALS_EXPIRED = 15,
  PERMISSION_DENIED = 20,
  INVALID_ARGUMENTS = 30,
  BAD_REQUEST_PARAMS = 31,
  ITEM_NOT_FOUND = 32,
  TOO_MANY_REQUESTS = 33,
  TOO_MANY_UPDATES = 34,
  VERSION_CONFLICT = 35,
  SUBSCRIPTION_VIOLATION = 40,
  ENTITIES_LIMIT_EXCEEDED = 41,
  PASSWORD_VIOLATION = 45,
  DATABASE = 46,
}

/** An error the API answers with ThingsBoard's envelope `{status, message, errorCode, timestamp}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode: ErrorCode,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  static badRequest(message: string): ApiError {
    return new ApiError(400, message, ErrorCode.BAD_REQUEST_PARAMS);
  }
  static invalidArguments(message: string): ApiError {
    return new ApiError(400, message, ErrorCode.INVALID_ARGUMENTS);
  }
  static notFound(message = "Requested item wasn't found!"): ApiError {
    return new ApiError(404, message, ErrorCode.ITEM_NOT_FOUND);
  }
  static forbidden(message = "You don't have permission to perform this operation!"): ApiError {
    return new ApiError(403, message, ErrorCode.PERMISSION_DENIED);
  }
  static unauthorized(message = 'Authentication failed', errorCode = ErrorCode.AUTHENTICATION): ApiError {
    return new ApiError(401, message, errorCode);
  }
  static versionConflict(normalName: string): ApiError {
    return new ApiError(409, `${normalName} was already changed by someone else`, ErrorCode.VERSION_CONFLICT);
  }
  static tooManyRequests(message: string, retryAfterSeconds: number): ApiError {
    return new ApiError(429, message, ErrorCode.TOO_MANY_REQUESTS, { 'Retry-After': String(retryAfterSeconds) });
  }
}

/** The body every REST error carries. */
export interface ErrorEnvelope {
  status: number;
  message: string;
  errorCode: number;
  timestamp: number;
}
