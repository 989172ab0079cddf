import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, PayloadTooLargeException } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request } from 'express';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Observable } from 'rxjs';
import type { SecurityUser } from '../auth/security-user';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ApiError, ErrorCode } from '../errors/api-error';
import { CHECKSUM_ALGORITHMS, checksumAlgorithmOf, checksumCalculator, isMurmur3, type ChecksumAlgorithm } from './checksum';
import { murmur3OfFile } from './murmur3-file';
import { OtaBinaryStore } from './ota-binary-store';
import { OtaPackagesService } from './ota-packages.service';

/** The multipart part of an upload as it reached the disk (multer's `req.file` with what our storage adds). */
export interface ReceivedFile {
  originalname: string;
  mimetype: string;
  /** The incoming file (see OtaBinaryStore). */
  path: string;
  size: number;
  /** In the algorithm the request named: computed while the bytes streamed to disk, or (MURMUR3) from the complete file. */
  checksum: string;
}

interface MulterFile {
  originalname: string;
  mimetype: string;
  stream: NodeJS.ReadableStream;
  path?: string;
}

type StorageCallback = (error: Error | null, info?: Partial<ReceivedFile>) => void;

/**
 * A multer storage engine that streams the file to an incoming file on disk and computes its checksum on the
 * way, so a 50 MB package is never held in memory — except for MURMUR3, whose library cannot stream: that checksum
 * is computed from the complete incoming file on a worker thread (at most OTA_MAX_PACKAGE_BYTES), before it is kept.
 * multer calls `_removeFile` for anything it does not keep (e.g. an upload over the size limit).
 */
class StreamingChecksumStorage {
  constructor(private readonly store: OtaBinaryStore) {}

  _handleFile(req: Request & { otaChecksumAlgorithm?: ChecksumAlgorithm }, file: MulterFile, callback: StorageCallback): void {
    const algorithm = req.otaChecksumAlgorithm!;
    const calculator = checksumCalculator(algorithm);
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        calculator?.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    void this.store.incomingPath().then(async (path) => {
      file.path = path;
      try {
        await pipeline(file.stream, measure, createWriteStream(path));
        const checksum = isMurmur3(algorithm) ? await murmur3OfFile(algorithm, path) : calculator!.digest();
        callback(null, { path, size, checksum });
      } catch (error) {
        await this.store.discardIncoming(path);
        callback(error as Error);
      }
    }, callback);
  }

  _removeFile(_req: Request, file: { path?: string }, callback: (error: Error | null) => void): void {
    if (!file.path) return callback(null);
    this.store.discardIncoming(file.path).then(() => callback(null), callback);
  }
}

/**
 * `POST /api/otaPackage/{id}`: checks the package and the checksum algorithm before a byte is read, then lets
 * multer stream the `file` part to disk within OTA_MAX_PACKAGE_BYTES (larger → 413, nothing kept).
 */
@Injectable()
export class OtaUploadInterceptor implements NestInterceptor {
  private readonly multer: NestInterceptor;
  private readonly limitBytes: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly packages: OtaPackagesService,
  ) {
    this.limitBytes = config.otaMaxPackageBytes;
    const Multer = FileInterceptor('file', {
      storage: new StreamingChecksumStorage(packages.binaries),
      limits: { fileSize: this.limitBytes, files: 1 },
      defParamCharset: 'utf8',
    });
    this.multer = new Multer();
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<Request & { user: SecurityUser; otaChecksumAlgorithm?: ChecksumAlgorithm }>();
    try {
      request.otaChecksumAlgorithm = uploadAlgorithm(request.query.checksumAlgorithm);
      await this.packages.checkUploadable(request.user, String(request.params.otaPackageId));
    } catch (error) {
      request.resume(); // the refusal goes out without reading the upload: let the client's body drain
      throw error;
    }
    try {
      return await this.multer.intercept(context, next);
    } catch (error) {
      if (error instanceof PayloadTooLargeException) {
        throw new ApiError(
          413,
          `The file is larger than the OTA package limit of ${this.limitBytes} bytes: nothing was kept. ` +
            'Upload a smaller package, or raise OTA_MAX_PACKAGE_BYTES.',
          ErrorCode.BAD_REQUEST_PARAMS,
        );
      }
      throw error;
    }
  }
}

/** `checksumAlgorithm` is required, as in ThingsBoard. */
function uploadAlgorithm(raw: unknown): ChecksumAlgorithm {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw ApiError.badRequest("Required request parameter 'checksumAlgorithm' is not present: add e.g. ?checksumAlgorithm=SHA256");
  }
  const algorithm = checksumAlgorithmOf(raw);
  if (!algorithm) throw ApiError.badRequest(`Unsupported checksumAlgorithm '${raw}': use one of ${CHECKSUM_ALGORITHMS.join(', ')}`);
  return algorithm;
}
