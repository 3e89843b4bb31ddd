// `npm run build` starts from an empty dist/, so a file whose source was deleted is never shipped.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
