import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const schemaPath = path.join(import.meta.dirname, '..', '..', 'docs', 'schema', 'port-check.v1.schema.json');
// ajv-formats is CommonJS with `exports.default`: under ESM the function is one level down.
type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats = (addFormatsModule as unknown as { default: AddFormats }).default;

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);

/** Throws with every schema violation listed when `document` does not match the published schema. */
export function assertMatchesSchema(document: unknown): void {
  if (!validate(document)) {
    throw new Error(
      `JSON does not match ${path.basename(schemaPath)}:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`,
    );
  }
}
