import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError, ErrorCode, ErrorEnvelope } from './api-error';

/** Status → errorCode for errors raised by the framework rather than by our services. */
function errorCodeFor(status: number): ErrorCode {
  switch (status) {
    case 400:
    case 413:
    case 415:
      return ErrorCode.BAD_REQUEST_PARAMS;
    case 401:
      return ErrorCode.AUTHENTICATION;
    case 403:
      return ErrorCode.PERMISSION_DENIED;
    case 404:
      return ErrorCode.ITEM_NOT_FOUND;
    case 409:
      return ErrorCode.VERSION_CONFLICT;
    case 429:
      return ErrorCode.TOO_MANY_REQUESTS;
    default:
      return ErrorCode.GENERAL;
  }
}

/** body-parser's errors carry `type` and `status` (e.g. `entity.parse.failed`, `entity.too.large`). */
interface BodyParserError {
  type: string;
  status: number;
  message: string;
  limit?: number;
}

function isBodyParserError(e: unknown): e is BodyParserError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as BodyParserError).type === 'string' &&
    typeof (e as BodyParserError).status === 'number'
  );
}

function messageOf(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** Converts whatever escaped a handler into ThingsBoard's error envelope; only real faults become 5xx. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    let status: number;
    let message: string;
    let errorCode: ErrorCode;
    // Nest wraps body-parser's errors in an HttpException; the original keeps the useful detail.
    const parserError = exception instanceof HttpException && isBodyParserError(exception.cause) ? exception.cause : exception;
    if (isBodyParserError(parserError)) {
      status = parserError.status;
      errorCode = errorCodeFor(status);
      message =
        parserError.type === 'entity.parse.failed'
          ? `Invalid JSON: ${parserError.message}`
          : parserError.type === 'entity.too.large'
            ? `Payload size exceeds the limit of ${parserError.limit} bytes`
            : parserError.message;
    } else if (exception instanceof ApiError) {
      ({ status, message, errorCode } = exception);
      for (const [name, value] of Object.entries(exception.headers)) response.setHeader(name, value);
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      message = messageOf(exception);
      errorCode = errorCodeFor(status);
    } else {
      status = 500;
      errorCode = ErrorCode.GENERAL;
      message = 'Internal server error. The failure was logged; if it persists, report it with the log lines around this time.';
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (response.headersSent) return;
    const envelope: ErrorEnvelope = { status, message, errorCode, timestamp: Date.now() };
    response.status(status).json(envelope);
  }
}
