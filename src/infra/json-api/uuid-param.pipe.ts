import { Injectable, type PipeTransform } from '@nestjs/common';
import { UUID_PATTERN } from '../database/uuid7';
import { JsonApiError, JsonApiErrorCode } from './json-api.errors';

/**
 * A path id that is not a UUID names nothing: 404, exactly as a missing id,
 * so a malformed id tells a caller no more than a well-formed unknown one.
 */
@Injectable()
export class UuidParam implements PipeTransform<string, string> {
  transform(value: string): string {
    const id = value.toLowerCase();
    if (!UUID_PATTERN.test(id)) throw new JsonApiError(JsonApiErrorCode.RouteNotFound, 'No resource with this id.');
    return id;
  }
}
