import { randomUUID } from 'node:crypto';

// One shared notebook kept in memory: editors write it, readers read it. Its data vanishes on
// restart by design, and a fresh start is seeded so that a reader has something to read.

export interface Note {
  id: string;
  text: string;
  /** The `sub` of the editor who wrote it. */
  author: string;
  createdAt: string; // ISO 8601
}

export const MAX_NOTE_LENGTH = 500;
// Benchmarks create notes in a loop; keep only the newest ones so memory stays bounded.
const MAX_NOTES = 500;

export const SEED_NOTES: ReadonlyArray<Pick<Note, 'text' | 'author'>> = [
  { author: 'alice', text: 'Welcome! These notes are shared: alice (an editor) can add and delete them, bob (a reader) can only read.' },
  { author: 'alice', text: 'Every call goes through the BFF, which adds the access token; the demo API checks the roles claim in it.' },
];

/** The note text if acceptable (a string of 1..500 characters, not only whitespace). */
export function validNoteText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.length > MAX_NOTE_LENGTH || value.trim().length === 0) return undefined;
  return value;
}

export class NoteStore {
  readonly #notes: Note[] = [];
  readonly #listeners = new Set<(notes: number) => void>();

  /** Called with the note count after every change (the live feed); returns the unsubscribe function. */
  onChange(listener: (notes: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener(this.#notes.length);
  }

  constructor(seed: ReadonlyArray<Pick<Note, 'text' | 'author'>> = SEED_NOTES, now: () => Date = () => new Date()) {
    for (const note of seed) this.add(note.author, note.text, now());
  }

  list(): Note[] {
    return [...this.#notes];
  }

  add(author: string, text: string, at: Date = new Date()): Note {
    const note: Note = { id: randomUUID(), text, author, createdAt: at.toISOString() };
    this.#notes.push(note);
    if (this.#notes.length > MAX_NOTES) this.#notes.splice(0, this.#notes.length - MAX_NOTES);
    this.#changed();
    return note;
  }

  /** false when there is no note with that id. */
  remove(id: string): boolean {
    const index = this.#notes.findIndex((n) => n.id === id);
    if (index === -1) return false;
    this.#notes.splice(index, 1);
    this.#changed();
    return true;
  }
}
