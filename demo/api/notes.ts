import { randomUUID } from 'node:crypto';

// Per-user notes kept in memory: the demo API's data vanishes on restart by design.

export interface Note {
  id: string;
  text: string;
  createdAt: string; // ISO 8601
}

export const MAX_NOTE_LENGTH = 500;
// Benchmarks create notes in a loop; keep only the newest ones so memory stays bounded.
const MAX_NOTES_PER_USER = 500;

/** The note text if acceptable (a string of 1..500 characters, not only whitespace). */
export function validNoteText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.length > MAX_NOTE_LENGTH || value.trim().length === 0) return undefined;
  return value;
}

export class NoteStore {
  readonly #byUser = new Map<string, Note[]>();

  list(sub: string): Note[] {
    return [...(this.#byUser.get(sub) ?? [])];
  }

  add(sub: string, text: string): Note {
    const note: Note = { id: randomUUID(), text, createdAt: new Date().toISOString() };
    const notes = this.#byUser.get(sub) ?? [];
    notes.push(note);
    if (notes.length > MAX_NOTES_PER_USER) notes.splice(0, notes.length - MAX_NOTES_PER_USER);
    this.#byUser.set(sub, notes);
    return note;
  }

  /** false when the caller has no note with that id. */
  remove(sub: string, id: string): boolean {
    const notes = this.#byUser.get(sub);
    const index = notes?.findIndex((n) => n.id === id) ?? -1;
    if (!notes || index === -1) return false;
    notes.splice(index, 1);
    return true;
  }
}
