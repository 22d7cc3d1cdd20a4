import fs from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { projectRoot } from '../../src/project.js';

/** docs/openapi.yaml, the tab API's contract, parsed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const openApi: any = parse(fs.readFileSync(path.join(projectRoot, 'docs', 'openapi.yaml'), 'utf8'));

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
// The whole document as one schema, so `#/components/...` references resolve inside response schemas.
ajv.addSchema({ ...openApi, $id: 'openapi' }, 'openapi');

// Templates with fewer parameters first, so /api/admin/policy/preview is not read as a path parameter.
const templates = Object.keys(openApi.paths as object)
  .map((template) => ({ template, params: (template.match(/\{/g) ?? []).length, regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`) }))
  .sort((a, b) => a.params - b.params);

/** The documented operations, as `METHOD /path/{template}`. */
export function documentedOperations(): { method: string; template: string }[] {
  return Object.entries(openApi.paths as Record<string, Record<string, unknown>>).flatMap(([template, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), template })),
  );
}

const validators = new Map<string, ValidateFunction>();

/**
 * Checks a response against the document: the operation and status must be listed, and a JSON body
 * must match the schema of that status. Throws a message naming the operation and every mismatch.
 */
export function checkAgainstOpenApi(method: string, urlPath: string, status: number, contentType: string | null, body: unknown): void {
  const pathOnly = urlPath.split('?')[0]!;
  const match = templates.find((t) => t.regex.test(pathOnly));
  const operation = match && openApi.paths[match.template][method.toLowerCase()];
  if (!operation) throw new Error(`docs/openapi.yaml does not document ${method} ${pathOnly}`);
  const where = `${method} ${match.template} → ${status}`;
  let response = operation.responses[String(status)];
  if (!response) throw new Error(`docs/openapi.yaml does not list status ${status} for ${method} ${match.template}`);
  if (response.$ref) response = resolve(response.$ref);
  const mediaType = contentType?.split(';')[0]?.trim();
  if (!response.content) {
    if (body !== undefined && body !== '') throw new Error(`${where}: the document says no body, but one came`);
    return;
  }
  if (!mediaType || !response.content[mediaType]) throw new Error(`${where}: content type ${mediaType} is not documented (${Object.keys(response.content).join(', ')})`);
  if (mediaType !== 'application/json') return;
  const pointer = `openapi#/paths/${escape(match.template)}/${method.toLowerCase()}/responses/${status}`;
  const schemaRef = operation.responses[String(status)].$ref ? `openapi${operation.responses[String(status)].$ref}/content/application~1json/schema` : `${pointer}/content/application~1json/schema`;
  let validate = validators.get(schemaRef);
  if (!validate) validators.set(schemaRef, (validate = ajv.compile({ $ref: schemaRef })));
  if (!validate(body)) {
    throw new Error(`${where}: the body does not match docs/openapi.yaml:\n${ajv.errorsText(validate.errors, { separator: '\n' })}\n${JSON.stringify(body).slice(0, 500)}`);
  }
}

function resolve(ref: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  return ref.replace(/^#\//, '').split('/').reduce((node, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')], openApi);
}

/** JSON pointer escaping of a path template (`/` → `~1`). */
function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
