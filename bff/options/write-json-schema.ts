import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { fileJsonSchema } from './file-schema.ts';
import { renderConfigurationDoc } from './docs.ts';

/** `npm run schema`: regenerates docs/bff.config.schema.json and docs/configuration.md from the schema the code parses with. */
export const JSON_SCHEMA_FILE = new URL('../../docs/bff.config.schema.json', import.meta.url);
export const CONFIGURATION_DOC = new URL('../../docs/configuration.md', import.meta.url);

export function renderJsonSchema(): string {
  return `${JSON.stringify(fileJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  writeFileSync(JSON_SCHEMA_FILE, renderJsonSchema());
  writeFileSync(CONFIGURATION_DOC, renderConfigurationDoc());
}
