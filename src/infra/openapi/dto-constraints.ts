import { ValidationTypes, getMetadataStorage } from 'class-validator';
import type { JsonSchema } from './openapi-types';

export interface DtoProperty {
  /** JSON Schema keywords the validators translate to (maxLength, minimum, enum, pattern, format). */
  keywords: JsonSchema;
  /** Validated whenever the document is: no `@IsOptional()` or `@ValidateIf()` makes it conditional. */
  required: boolean;
}

type Metadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

/** JSON Schema for the validators we can express; the others (custom ones, e.g. IsTimeZone) only validate at run time. */
function keywordsOf(name: string, constraints: readonly unknown[]): JsonSchema {
  const [first, second] = constraints;
  switch (name) {
    case 'maxLength':
      return { maxLength: first };
    case 'minLength':
      return { minLength: first };
    case 'isLength':
      return { minLength: first, ...(second !== undefined && { maxLength: second }) };
    case 'min':
      return { minimum: first };
    case 'max':
      return { maximum: first };
    case 'isIn':
      return { enum: [...(first as unknown[])] };
    case 'isEmail':
      return { format: 'email' };
    case 'isUUID':
      return { format: 'uuid' };
    case 'isDateString':
    case 'isISO8601':
      return { format: 'date-time' };
    case 'matches':
      // A JSON Schema pattern has no flags: a case-insensitive or sticky regex cannot be carried over faithfully.
      return first instanceof RegExp && first.flags.replace('u', '') === '' ? { pattern: first.source } : {};
    default:
      return {};
  }
}

/**
 * What a class-validator DTO says about each property it validates, read from
 * class-validator's metadata storage, so the OpenAPI request schemas carry the
 * same limits the server enforces. A property absent from the result is not
 * accepted at all (the DTO is applied with `forbidNonWhitelisted`).
 *
 * @example
 * dtoProperties(StoreCreateDto).get('name') // { keywords: { minLength: 1, maxLength: 120, pattern: '\\S' }, required: true }
 */
export function dtoProperties(dto: new () => object): Map<string, DtoProperty> {
  const storage = getMetadataStorage();
  const byProperty = new Map<string, Metadata[]>();
  for (const metadata of storage.getTargetValidationMetadatas(dto, '', true, false)) {
    byProperty.set(metadata.propertyName, [...(byProperty.get(metadata.propertyName) ?? []), metadata]);
  }
  const result = new Map<string, DtoProperty>();
  for (const [property, metadatas] of byProperty) {
    let keywords: JsonSchema = {};
    let required = true;
    for (const metadata of metadatas) {
      if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) required = false;
      if (metadata.type !== ValidationTypes.CUSTOM_VALIDATION || metadata.each) continue;
      // Decorators built with ValidateBy keep their name on the constraint class, not on the metadata.
      const name = metadata.name ?? storage.getTargetValidatorConstraints(metadata.constraintCls)[0]?.name;
      if (name) keywords = { ...keywords, ...keywordsOf(name, metadata.constraints ?? []) };
    }
    result.set(property, { keywords, required });
  }
  return result;
}
