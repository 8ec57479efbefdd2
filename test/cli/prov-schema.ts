// The W3C PROV-JSON schema (test/fixtures/prov-json-schema.json, draft-04) compiled with ajv.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

interface Validate {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string }[] | null;
}
interface AjvLike {
  compile(schema: object): Validate;
}

// CommonJS packages: taken through require, typed by what is used here.
const require = createRequire(import.meta.url);
const Ajv = (require('ajv-draft-04') as { default: new (opts: object) => AjvLike }).default;
const addFormats = (require('ajv-formats') as { default: (ajv: AjvLike) => unknown }).default;

const SCHEMA = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/prov-json-schema.json', import.meta.url)), 'utf8')) as object;

// strict: false — the published schema has keys ajv's strict mode rejects
// (prov:startTime/prov:endTime beside `properties` in `activity`).
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
export const validateProvJson = ajv.compile(SCHEMA);

export function provErrors(doc: unknown): string[] {
  return validateProvJson(doc) ? [] : (validateProvJson.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

export const XSD_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
