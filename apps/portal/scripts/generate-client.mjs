// The API client's types come from the control plane's own OpenAPI document: written from the
// compiled control plane (no database, no port), then turned into TypeScript by openapi-typescript.
// Files are rewritten only when their content changes, so incremental builds stay incremental.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const portal = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const writer = path.resolve(portal, '../control-plane/dist/openapi/write-openapi.js');
const documentFile = path.join(portal, 'openapi.json');
const schemaFile = path.join(portal, 'src/api/schema.d.ts');

if (!existsSync(writer)) {
  console.error(`✖ ${path.relative(process.cwd(), writer)} not found: build the control plane first (tsc -b)`);
  process.exit(1);
}
const written = spawnSync(process.execPath, [writer, documentFile + '.tmp'], { stdio: 'inherit' });
if (written.status !== 0) process.exit(written.status ?? 1);
const document = readFileSync(documentFile + '.tmp', 'utf8');
writeIfChanged(documentFile, document);
rmSync(documentFile + '.tmp', { force: true });

const ast = await openapiTS(JSON.parse(document), { alphabetize: true });
const header = '// Generated from apps/portal/openapi.json by apps/portal/scripts/generate-client.mjs. Do not edit.\n';
writeIfChanged(schemaFile, header + astToString(ast));

function writeIfChanged(file, content) {
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return;
  writeFileSync(file, content);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
