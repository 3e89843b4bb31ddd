import { bffFetch, bffJson, jsonBody } from '../bff/index.ts';
import { apiPath } from './queries.ts';
import type { Note } from './schemas.ts';
import { noteSchema } from './schemas.ts';

export function createNote(text: string): Promise<Note> {
  return bffJson(apiPath.notes, noteSchema, { method: 'POST', ...jsonBody({ text }) });
}

export async function deleteNote(id: string): Promise<void> {
  await bffFetch(apiPath.note(id), { method: 'DELETE' });
}
